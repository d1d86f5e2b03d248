package dev.hearth.bench;

import dev.hearth.engine.autograd.Autograd;
import dev.hearth.engine.io.ModelFolder;
import dev.hearth.engine.models.LanguageModel;
import dev.hearth.engine.nn.KvCache;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * How long a served model's decode step takes for n sequences together (the server's continuous
 * batching step): the folder's model frozen for inference as {@code hearth serve} freezes it; each
 * sequence reads a prompt of PROMPT tokens into caches of its own, then STEPS calls of
 * {@link LanguageModel#forwardEach} each give every sequence one more token, as the server's
 * steps do. Prints, per n, the best of ROUNDS rounds in CPU time per step (less moved by a shared
 * machine's load than wall time) and the bytes allocated per step. Run with
 * {@code -Dhearth.threads=1} for the server's single compute thread on two cores.
 *
 * <p>With JOIN tokens, each step also reads a new prompt of that many tokens, as a request that
 * arrives while others run: once apart ({@link LanguageModel#forwardLast}, then the step), once
 * inside the step (its tokens as rows after the sequences', one {@link LanguageModel#forwardEach}),
 * and prints both.
 *
 * <p>Usage: {@code java --add-modules jdk.incubator.vector -Dhearth.threads=1 -cp
 * bench/target/benchmarks.jar dev.hearth.bench.ServedStepSpeed DIR [SEQUENCES=1,8] [PROMPT=24]
 * [STEPS=64] [ROUNDS=30] [JOIN=0]}
 */
public final class ServedStepSpeed {
    private ServedStepSpeed() {}

    public static void main(String[] args) {
        if (args.length < 1) {
            System.err.println("usage: ServedStepSpeed DIR [SEQUENCES=1,8] [PROMPT=24] [STEPS=64] [ROUNDS=30] [JOIN=0]");
            System.exit(2);
        }
        LanguageModel model = ModelFolder.load(Path.of(args[0])).model();
        model.freezeForInference();
        String[] counts = (args.length > 1 ? args[1] : "1,8").split(",");
        int prompt = args.length > 2 ? Integer.parseInt(args[2]) : 24;
        int steps = args.length > 3 ? Integer.parseInt(args[3]) : 64;
        int rounds = args.length > 4 ? Integer.parseInt(args[4]) : 30;
        int join = args.length > 5 ? Integer.parseInt(args[5]) : 0;
        if (prompt < 1 || steps < 1 || prompt + steps > model.contextLength()) {
            throw new IllegalArgumentException("the prompt and the steps must each be at least 1 and together fit"
                    + " the model's context of " + model.contextLength() + ", not " + prompt + " + " + steps);
        }
        if (join < 0 || join > model.contextLength()) {
            throw new IllegalArgumentException("JOIN must be between 0 and the model's context of "
                    + model.contextLength() + ", not " + join);
        }
        ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        com.sun.management.ThreadMXBean alloc = (com.sun.management.ThreadMXBean) cpu;
        long self = Thread.currentThread().threadId();
        try (Autograd.Scope s = Autograd.noGrad()) {
            for (String c : counts) {
                int n = Integer.parseInt(c.trim());
                for (boolean together : join == 0 ? new boolean[] {false} : new boolean[] {false, true}) {
                    double best = Double.MAX_VALUE;
                    long bytes = 0;
                    for (int r = 0; r < rounds; r++) {
                        List<List<KvCache>> caches = new ArrayList<>(n);
                        int[] ids = new int[n];
                        for (int i = 0; i < n; i++) {
                            List<KvCache> own = model.newCaches(1, prompt + steps);
                            model.forwardLast(tokens(model, i, prompt), own);
                            caches.add(own);
                            ids[i] = tokens(model, i, prompt)[prompt - 1];
                        }
                        List<List<KvCache>> arriving = new ArrayList<>(steps);
                        for (int step = 0; step < steps && join > 0; step++) {
                            arriving.add(model.newCaches(1, join));
                        }
                        int[] joined = tokens(model, n, join);
                        int[] rows = Arrays.copyOf(ids, n + join);
                        System.arraycopy(joined, 0, rows, n, join);
                        long a0 = alloc.getThreadAllocatedBytes(self);
                        long c0 = cpu.getCurrentThreadCpuTime();
                        for (int step = 0; step < steps; step++) {
                            if (join == 0) {
                                model.forwardEach(ids, caches);
                            } else if (together) {
                                List<List<KvCache>> all = new ArrayList<>(caches);
                                all.addAll(Collections.nCopies(join, arriving.get(step)));
                                model.forwardEach(rows, all);
                            } else {
                                model.forwardLast(joined, arriving.get(step));
                                model.forwardEach(ids, caches);
                            }
                        }
                        best = Math.min(best, (cpu.getCurrentThreadCpuTime() - c0) / 1e3 / steps);
                        bytes = (alloc.getThreadAllocatedBytes(self) - a0) / steps;
                    }
                    String how = join == 0 ? "" : together ? ", a " + join + "-token prompt read in each step"
                            : ", a " + join + "-token prompt read apart before each step";
                    System.out.printf(Locale.ROOT, "%d sequences%s: %.1f us of CPU a step (best of %d rounds of %d"
                            + " steps after %d-token prompts), %d bytes allocated a step%n", n, how, best, rounds, steps,
                            prompt, bytes);
                }
            }
        }
    }

    /** A prompt of {@code length} tokens, the i-th of the run's. */
    private static int[] tokens(LanguageModel model, int i, int length) {
        int[] p = new int[length];
        for (int t = 0; t < length; t++) {
            p[t] = 1 + (i * 31 + t * 7) % (model.vocabSize() - 1);
        }
        return p;
    }
}
