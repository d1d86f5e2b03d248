package dev.hearth.bench;

import dev.hearth.engine.autograd.Autograd;
import dev.hearth.engine.io.ModelFolder;
import dev.hearth.engine.models.LanguageModel;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.Locale;

/**
 * How long a served model takes to read a prompt (the server's prefill, most of its time to first
 * token): the folder's model frozen for inference as {@code hearth serve} freezes it, then
 * {@link LanguageModel#forwardLast} over prompts of the given lengths into fresh KV caches, on the
 * calling thread. Prints, per length, the best of ROUNDS rounds of REPS prompts in CPU time (less
 * moved by a shared machine's load than wall time). Run with {@code -Dhearth.threads=1} for the
 * server's single compute thread on two cores.
 *
 * <p>Usage: {@code java --add-modules jdk.incubator.vector -Dhearth.threads=1 -cp
 * bench/target/benchmarks.jar dev.hearth.bench.ServedPrefillSpeed DIR [LENGTHS=40,64] [ROUNDS=5] [REPS=400]}
 */
public final class ServedPrefillSpeed {
    private ServedPrefillSpeed() {}

    public static void main(String[] args) {
        if (args.length < 1) {
            System.err.println("usage: ServedPrefillSpeed DIR [LENGTHS=40,64] [ROUNDS=5] [REPS=400]");
            System.exit(2);
        }
        LanguageModel model = ModelFolder.load(Path.of(args[0])).model();
        model.freezeForInference();
        String[] lengths = (args.length > 1 ? args[1] : "40,64").split(",");
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        int reps = args.length > 3 ? Integer.parseInt(args[3]) : 400;
        ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        try (Autograd.Scope s = Autograd.noGrad()) {
            for (String l : lengths) {
                int length = Integer.parseInt(l.trim());
                if (length < 1 || length > model.contextLength()) {
                    throw new IllegalArgumentException("a prompt length is 1 to the model's context, "
                            + model.contextLength() + ", not " + length);
                }
                int[] ids = new int[length];
                for (int i = 0; i < length; i++) {
                    ids[i] = 1 + (i * 7) % (model.vocabSize() - 1);
                }
                double best = Double.MAX_VALUE;
                for (int r = 0; r < rounds; r++) {
                    long c0 = cpu.getCurrentThreadCpuTime();
                    for (int i = 0; i < reps; i++) {
                        model.forwardLast(ids, model.newCaches(1, length));
                    }
                    best = Math.min(best, (cpu.getCurrentThreadCpuTime() - c0) / 1e3 / reps);
                }
                System.out.printf(Locale.ROOT, "prompt of %d tokens: %.1f us of CPU (best of %d rounds of %d)%n",
                        length, best, rounds, reps);
            }
        }
    }
}
