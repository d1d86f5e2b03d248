package dev.hearth.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hearth.guard.pii.EntityType;
import dev.hearth.guard.pii.LabeledText;
import dev.hearth.guard.pii.ModelNameRecognizer;
import dev.hearth.guard.pii.NameSource;
import dev.hearth.guard.pii.PiiAnalyzer;
import dev.hearth.guard.pii.PiiEvaluation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * PERSON/LOCATION precision, recall and F2 on real text: the lines of tinyshakespeare.txt named
 * in {@code bench/eval/shakespeare-names.labels.jsonl}, whose labels are ours (the repository
 * holds only line numbers and spans, the text is read from the shared data folder), for names
 * from the dictionaries, the name model and both. Run it with {@code bench/ner-real.sh}.
 */
public final class RealTextNames {
    private RealTextNames() {}

    public static void main(String[] args) throws Exception {
        Path modelDir = Path.of(args[0]);
        Path labels = Path.of(args[1]);
        Path text = Path.of(args.length > 2 ? args[2] : "../shared/data").resolve("tinyshakespeare.txt");
        if (!Files.exists(text)) {
            System.out.println("no text: " + text + " is missing; pass the shared data folder");
            return;
        }
        List<String> lines = Files.readAllLines(text);
        ObjectMapper json = new ObjectMapper();
        List<LabeledText> gold = new ArrayList<>();
        for (String l : Files.readAllLines(labels)) {
            if (l.isBlank()) {
                continue;
            }
            JsonNode n = json.readTree(l);
            int line = n.get("line").asInt();
            String t = lines.get(line - 1);
            List<LabeledText.Span> spans = new ArrayList<>();
            for (JsonNode e : n.get("entities")) {
                spans.add(new LabeledText.Span(EntityType.parse(e.get("type").asText()), e.get("start").asInt(),
                        e.get("end").asInt(), 1));
            }
            gold.add(new LabeledText("line-" + line, t, spans));
        }
        long entities = gold.stream().mapToLong(g -> g.entities().size()).sum();
        System.out.printf(Locale.ROOT, "%s: %,d labelled lines, %,d entities%n", text, gold.size(), entities);
        ModelNameRecognizer model = ModelNameRecognizer.load(modelDir);
        for (NameSource source : NameSource.values()) {
            PiiAnalyzer.Builder b = PiiAnalyzer.builder().types(List.of(EntityType.PERSON, EntityType.LOCATION))
                    .names(source);
            if (source != NameSource.DICTIONARIES) {
                b.nameModel(model);
            }
            PiiEvaluation.Report r = PiiEvaluation.evaluate(b.build(), gold, PiiEvaluation.Match.EXACT);
            for (EntityType t : List.of(EntityType.PERSON, EntityType.LOCATION)) {
                PiiEvaluation.Scores s = r.byType().getOrDefault(t, new PiiEvaluation.Scores(0, 0, 0));
                System.out.printf(Locale.ROOT, "%-13s %-9s precision %.3f recall %.3f F2 %.3f (TP %d FP %d FN %d)%n",
                        source.id(), t, s.precision(), s.recall(), s.f2(), s.truePositives(), s.falsePositives(),
                        s.falseNegatives());
            }
        }
    }
}
