package dev.hearth.bench;

import dev.hearth.engine.io.ModelFolder;
import dev.hearth.engine.models.LanguageModel;
import dev.hearth.lab.eval.LanguageModelLatency;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Single-stream decode tokens/s of several model folders (an original and its pruned copies),
 * taking turns in one process round after round so that a shared machine's load hits them alike;
 * prints each folder's best round and its parameter count.
 *
 * <p>Usage: {@code java --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar
 * dev.hearth.bench.PrunedGenerationSpeed ROUNDS STEPS DIR...}
 */
public final class PrunedGenerationSpeed {
    private PrunedGenerationSpeed() {}

    public static void main(String[] args) {
        if (args.length < 3) {
            System.err.println("usage: PrunedGenerationSpeed ROUNDS STEPS DIR...");
            System.exit(2);
        }
        int rounds = Integer.parseInt(args[0]);
        int steps = Integer.parseInt(args[1]);
        List<LanguageModel> models = new ArrayList<>();
        for (int i = 2; i < args.length; i++) {
            LanguageModel m = ModelFolder.load(Path.of(args[i])).model();
            m.freezeForInference();
            models.add(m);
        }
        int[] prompt = new int[16];
        for (int i = 0; i < prompt.length; i++) {
            prompt[i] = 1 + i;
        }
        double[] best = new double[models.size()];
        for (int r = 0; r < rounds; r++) {
            for (int i = 0; i < models.size(); i++) {
                double tps = LanguageModelLatency.measure(models.get(i), prompt, 1, steps).tokensPerSecond();
                best[i] = Math.max(best[i], tps);
            }
        }
        for (int i = 0; i < models.size(); i++) {
            System.out.printf(Locale.ROOT, "%-50s %,12d parameters  best decode %,8.1f tokens/s (%d rounds of %d steps)%n",
                    args[i + 2], models.get(i).parameterCount(), best[i], rounds, steps);
        }
    }
}
