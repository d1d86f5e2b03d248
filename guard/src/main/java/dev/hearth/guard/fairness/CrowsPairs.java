package dev.hearth.guard.fairness;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import dev.hearth.engine.generate.Perplexity;
import dev.hearth.engine.generate.PerplexityOptions;
import dev.hearth.engine.models.LanguageModel;
import dev.hearth.engine.tokenize.Tokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntConsumer;

/**
 * Social bias of a language model on CrowS-Pairs (Nangia et al. 2020): each pair holds a more and
 * a less stereotyping sentence that differ in the group they name; a model "prefers" the one it
 * gives the higher log-likelihood. The report is the share of pairs where it prefers the more
 * stereotyping sentence — 50% is unbiased — overall and per bias type, with Wilson 95% intervals.
 *
 * <p>For a causal language model each sentence is scored by its whole log-likelihood (after the
 * end-of-text token, when the model has one), as EleutherAI's lm-evaluation-harness does for its
 * crows_pairs tasks; the original paper's pseudo-log-likelihood is for masked models. The authors
 * warn that the data is noisy: one signal, not a verdict.
 */
public final class CrowsPairs {
    private CrowsPairs() {}

    /** One pair: the more and the less stereotyping sentence, their bias type and direction. */
    public record Pair(int index, String more, String less, String biasType, String direction) {}

    /** The share preferring the more stereotyping sentence, among {@code pairs} (ties counted apart). */
    public record Share(int pairs, int preferMore, int ties, double share, double low, double high) {
        static Share of(int pairs, int preferMore, int ties) {
            int n = pairs - ties;
            double p = n == 0 ? 0.5 : (double) preferMore / n;
            double z = 1.959963984540054;
            double centre = (p + z * z / (2.0 * n)) / (1 + z * z / n);
            double half = z / (1 + z * z / n) * Math.sqrt(p * (1 - p) / n + z * z / (4.0 * n * n));
            return n == 0 ? new Share(pairs, preferMore, ties, 0.5, 0, 1)
                    : new Share(pairs, preferMore, ties, p, centre - half, centre + half);
        }
    }

    /** Overall and per bias type, and each pair's two log-likelihoods (nats). */
    public record Result(Share overall, Map<String, Share> byType, double[] moreLogLikelihood,
                         double[] lessLogLikelihood, double seconds) {}

    /** Reads the CSV of the CrowS-Pairs release (sent_more, sent_less, stereo_antistereo, bias_type). */
    public static List<Pair> read(Path csv) {
        if (!Files.isRegularFile(csv)) {
            throw new FairnessException("the CrowS-Pairs file " + csv + " does not exist");
        }
        CsvMapper mapper = new CsvMapper();
        mapper.enable(CsvParser.Feature.WRAP_AS_ARRAY);
        List<Pair> out = new ArrayList<>();
        try (MappingIterator<String[]> it = mapper.readerFor(String[].class).with(CsvSchema.emptySchema())
                .readValues(csv.toFile())) {
            List<String> header = Arrays.asList(it.nextValue());
            int more = column(header, "sent_more", csv);
            int less = column(header, "sent_less", csv);
            int direction = column(header, "stereo_antistereo", csv);
            int type = column(header, "bias_type", csv);
            int row = 0;
            while (it.hasNextValue()) {
                String[] r = it.nextValue();
                row++;
                if (r.length < header.size()) {
                    throw new FairnessException(csv + " row " + row + " has " + r.length + " cells, the header " + header.size());
                }
                out.add(new Pair(row, r[more], r[less], r[type], r[direction]));
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof FairnessException f) {
                throw f;
            }
            throw new FairnessException(csv + " is not a CrowS-Pairs CSV: " + e.getMessage().lines().findFirst().orElse(""));
        }
        if (out.isEmpty()) {
            throw new FairnessException(csv + " holds no pairs");
        }
        return out;
    }

    private static int column(List<String> header, String name, Path csv) {
        int k = header.indexOf(name);
        if (k < 0) {
            throw new FairnessException(csv + " has no column " + name + "; a CrowS-Pairs file has sent_more, sent_less,"
                    + " stereo_antistereo and bias_type");
        }
        return k;
    }

    /** Scores every pair; {@code progress} hears how many are done. */
    public static Result score(LanguageModel model, Tokenizer tokenizer, int prefixToken, List<Pair> pairs,
                               IntConsumer progress) {
        long t0 = System.nanoTime();
        Perplexity ppl = new Perplexity(model, tokenizer);
        PerplexityOptions options = PerplexityOptions.DEFAULTS.withPrefixToken(prefixToken);
        double[] more = new double[pairs.size()];
        double[] less = new double[pairs.size()];
        Map<String, int[]> types = new TreeMap<>();
        int prefer = 0;
        int ties = 0;
        for (int i = 0; i < pairs.size(); i++) {
            Pair p = pairs.get(i);
            more[i] = -ppl.evaluate(p.more(), options).totalNll();
            less[i] = -ppl.evaluate(p.less(), options).totalNll();
            int[] t = types.computeIfAbsent(p.biasType(), k -> new int[3]);
            t[0]++;
            if (more[i] == less[i]) {
                ties++;
                t[2]++;
            } else if (more[i] > less[i]) {
                prefer++;
                t[1]++;
            }
            progress.accept(i + 1);
        }
        Map<String, Share> byType = new TreeMap<>();
        types.forEach((k, t) -> byType.put(k, Share.of(t[0], t[1], t[2])));
        return new Result(Share.of(pairs.size(), prefer, ties), byType, more, less, (System.nanoTime() - t0) / 1e9);
    }
}
