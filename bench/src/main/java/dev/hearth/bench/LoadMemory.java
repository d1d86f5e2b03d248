package dev.hearth.bench;

import dev.hearth.engine.generate.GenerationListener;
import dev.hearth.engine.generate.GenerationResult;
import dev.hearth.engine.generate.Generator;
import dev.hearth.engine.generate.SamplingParams;
import dev.hearth.engine.io.ModelFolder;
import dev.hearth.engine.models.LanguageModel;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Heap taken by loading a model folder and generating from it: what "memory at inference ≈ the
 * quantized size plus the KV cache" asks. Loads {@code DIR} with {@link ModelFolder#load}, then
 * generates greedily from a short prompt, and prints the weights' size, the time the load took (the
 * first in a fresh JVM, so class loading included), the heap in use after a GC once loaded and once
 * generated, and the peak of each heap memory pool (from the memory pool MXBeans, reset just before
 * the load). The sum of the pools' peaks bounds the real
 * peak from above (the pools need not peak at once); {@code bench/load-memory.sh} also finds the
 * smallest {@code -Xmx} under which the same run completes, the figure that decides what fits.
 *
 * <p>Usage: {@code java -Xmx... --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar
 * dev.hearth.bench.LoadMemory DIR [new tokens (32)]}. Exits 0 when the load and the generation
 * completed.
 */
public final class LoadMemory {
    private LoadMemory() {}

    public static void main(String[] args) {
        if (args.length < 1 || args.length > 2) {
            System.err.println("usage: LoadMemory DIR [new tokens]");
            System.exit(2);
        }
        Path dir = Path.of(args[0]);
        int newTokens = args.length > 1 ? Integer.parseInt(args[1]) : 32;
        List<MemoryPoolMXBean> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP).toList();
        long before = usedAfterGc();
        heapPools.forEach(MemoryPoolMXBean::resetPeakUsage);

        long t0 = System.nanoTime();
        ModelFolder.Loaded loaded = ModelFolder.load(dir);
        long loadNanos = System.nanoTime() - t0;
        LanguageModel model = loaded.model();
        long poolPeaksLoad = sumOfPeaks(heapPools);
        long afterLoad = usedAfterGc();

        Generator generator = new Generator(model, loaded.tokenizer());
        int[] prompt = new int[16];
        for (int i = 0; i < prompt.length; i++) {
            prompt[i] = 1 + (i * 37) % (model.vocabSize() - 1);
        }
        GenerationResult g = generator.generateIds(List.of(prompt), SamplingParams.greedy(newTokens),
                GenerationListener.NONE).getFirst();
        long poolPeaksAll = sumOfPeaks(heapPools);
        long afterGenerate = usedAfterGc();

        long weightBytes = 0;
        for (var t : model.parameters().values()) {
            weightBytes += 4L * t.numel();
        }
        long packed = 0;
        for (var q : model.quantizedParameters().values()) {
            packed += q.byteSize();
        }
        String format = model.quantizedParameters().isEmpty() ? "f32"
                : model.quantizedParameters().values().iterator().next().format().id();
        Runtime rt = Runtime.getRuntime();
        System.out.printf(Locale.ROOT, "%s: %,d parameters; weights %.1f MB (%.1f MB quantized, %.1f MB float32);"
                + " max heap %.0f MB%n", dir.getFileName(), model.parameterCount(), (weightBytes + packed) / 1e6,
                packed / 1e6, weightBytes / 1e6, rt.maxMemory() / 1e6);
        System.out.printf(Locale.ROOT, "  load: %.0f ms (ModelFolder.load, first in this JVM)%n", loadNanos / 1e6);
        System.out.printf(Locale.ROOT, "  heap in use after GC: %.1f MB before loading, %.1f MB loaded, %.1f MB after"
                + " generating %d tokens (%s)%n", before / 1e6, afterLoad / 1e6, afterGenerate / 1e6,
                g.generatedTokens(), g.finishReason());
        System.out.printf(Locale.ROOT, "  sum of heap pools' peaks: %.1f MB while loading, %.1f MB through generation%n",
                poolPeaksLoad / 1e6, poolPeaksAll / 1e6);
    }

    private static long usedAfterGc() {
        System.gc();
        Runtime rt = Runtime.getRuntime();
        return rt.totalMemory() - rt.freeMemory();
    }

    private static long sumOfPeaks(List<MemoryPoolMXBean> pools) {
        long sum = 0;
        for (MemoryPoolMXBean p : pools) {
            sum += p.getPeakUsage().getUsed();
        }
        return sum;
    }
}
