package dev.hearth.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.engine.HearthException;
import dev.hearth.guard.fairness.CounterfactualSwap;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code hearth data augment}: counterfactual data augmentation against learned group associations. */
@Command(name = "augment", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Counterfactual data augmentation: add a copy of each record with gendered terms swapped",
            "(he <-> she, king <-> queen, 他 <-> 她, 爸爸 <-> 妈妈 ...), so a model sees every context with both.",
            "A .txt file is one document: its swapped copy follows it. A .jsonl file gets, after each record that",
            "holds a term, the swapped record (its id suffixed '-cf'). See docs/fairness.md."})
final class DataAugmentCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--in", required = true, paramLabel = "FILE", description = "A .txt or .jsonl file.")
    Path in;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Where the augmented file goes.")
    Path out;

    @Option(names = "--field", paramLabel = "NAME", description = "The text field of .jsonl records (default: ${DEFAULT-VALUE}).")
    String field = "text";

    @Option(names = "--pairs", paramLabel = "FILE.yaml",
            description = "Swap pairs of your own, for other groups: 'pairs: [[church, mosque], [教堂, 清真寺]]'.")
    Path pairs;

    @Option(names = "--no-gender", description = "Leave out the built-in gender pairs (use only --pairs).")
    boolean noGender;

    @Override
    public Integer call() throws IOException {
        if (!Files.isRegularFile(in)) {
            throw new HearthException(in + " is not a file");
        }
        if (Files.exists(out) && Files.isSameFile(in, out)) {
            throw new HearthException("--out is the input file; write the augmented copy somewhere else");
        }
        String name = in.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        CounterfactualSwap swap = new CounterfactualSwap(pairs == null ? List.of() : readPairs(pairs), !noGender);
        PrintWriter pw = spec.commandLine().getOut();
        if (name.endsWith(".txt")) {
            String text = read(in);
            String swapped = swap.swap(text);
            boolean changed = !swapped.equals(text);
            PiiCommand.atomicWrite(out, w -> {
                w.write(text);
                if (changed) {
                    w.write(text.endsWith("\n") ? "\n" : "\n\n");
                    w.write(swapped);
                }
            });
            pw.printf("%s: %s%n", out, changed ? "the document and its swapped copy" : "no terms to swap; copied as it is");
            return 0;
        }
        if (!name.endsWith(".jsonl")) {
            throw new HearthException(in + ": augment reads .txt and .jsonl files");
        }
        ObjectMapper json = new ObjectMapper();
        int[] counts = new int[2];
        PiiCommand.atomicWrite(out, w -> {
            try (BufferedReader r = new BufferedReader(new java.io.InputStreamReader(Files.newInputStream(in),
                    StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)))) {
                String line;
                int lineNo = 0;
                while ((line = r.readLine()) != null) {
                    lineNo++;
                    if (line.isBlank()) {
                        w.write(line);
                        w.write('\n');
                        continue;
                    }
                    JsonNode record;
                    try {
                        record = json.readTree(line);
                    } catch (JsonProcessingException e) {
                        throw new HearthException(in + " line " + lineNo + " is not JSON: " + e.getOriginalMessage());
                    }
                    if (!(record instanceof ObjectNode o) || !o.path(field).isTextual()) {
                        throw new HearthException(in + " line " + lineNo + " has no text field '" + field
                                + "'; name it with --field");
                    }
                    counts[0]++;
                    w.write(line);
                    w.write('\n');
                    String text = o.get(field).asText();
                    String swapped = swap.swap(text);
                    if (!swapped.equals(text)) {
                        ObjectNode copy = o.deepCopy();
                        copy.put(field, swapped);
                        if (copy.has("id")) {
                            copy.put("id", copy.get("id").asText() + "-cf");
                        }
                        copy.put("counterfactual", true);
                        w.write(json.writeValueAsString(copy));
                        w.write('\n');
                        counts[1]++;
                    }
                }
            } catch (java.nio.charset.CharacterCodingException e) {
                throw new HearthException(in + " is not valid UTF-8: " + e.getMessage());
            }
        });
        pw.printf("%s: %,d records, %,d swapped copies added%n", out, counts[0], counts[1]);
        return 0;
    }

    /** {@code pairs:} a list of two-term lists, in YAML; anything else is an error naming the file. */
    private static List<List<String>> readPairs(Path file) {
        try {
            JsonNode root = new ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory()).readTree(file.toFile());
            if (root == null || !root.path("pairs").isArray() || root.size() != 1) {
                throw new HearthException(file + " must hold one key, 'pairs', a list of two-term lists such as"
                        + " [church, mosque]");
            }
            List<List<String>> out = new java.util.ArrayList<>();
            for (JsonNode p : root.get("pairs")) {
                List<String> pair = new java.util.ArrayList<>();
                p.forEach(t -> pair.add(t.asText()));
                if (!p.isArray()) {
                    throw new HearthException(file + ": " + p + " is not a list of two terms");
                }
                out.add(pair);
            }
            return out;
        } catch (IOException e) {
            throw new HearthException("cannot read the swap pairs in " + file + ": " + e.getMessage(), e);
        }
    }

    private static String read(Path file) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(file))).toString();
        } catch (IOException e) {
            throw new HearthException("cannot read " + file + " as UTF-8 text: " + e.getMessage(), e);
        }
    }
}
