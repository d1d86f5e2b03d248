package dev.hearth.lab.plan;

import dev.hearth.engine.HearthException;
import dev.hearth.engine.kernels.Gemm;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A device to plan for: its peak matrix-multiply rate at the precision it trains and serves in,
 * its memory and its memory bandwidth, from the vendor's published figures or measured here.
 *
 * @param name        how it is called on the command line
 * @param peakFlops   dense FLOP/s at {@code precision} (no sparsity)
 * @param precision   "bf16", "fp16" or "fp32": the bytes per weight and activation the estimate assumes
 * @param memoryBytes device memory
 * @param bandwidth   memory bandwidth, bytes/s
 * @param source      where the figures come from
 */
public record Hardware(String name, double peakFlops, String precision, double memoryBytes, double bandwidth,
                       String source) {

    /** Published dense figures (vendor data sheets). */
    public static final Map<String, Hardware> NAMED = named();

    private static Map<String, Hardware> named() {
        Map<String, Hardware> m = new LinkedHashMap<>();
        m.put("h100-sxm", new Hardware("h100-sxm", 989e12, "bf16", 80e9, 3.35e12, "NVIDIA H100 SXM data sheet, dense BF16"));
        m.put("a100-80gb", new Hardware("a100-80gb", 312e12, "bf16", 80e9, 2.039e12, "NVIDIA A100 80GB SXM data sheet, dense BF16"));
        m.put("l4", new Hardware("l4", 121e12, "bf16", 24e9, 300e9, "NVIDIA L4 data sheet, dense BF16"));
        m.put("t4", new Hardware("t4", 65e12, "fp16", 16e9, 320e9, "NVIDIA T4 data sheet, FP16 tensor cores"));
        return Map.copyOf(m);
    }

    public int bytesPerValue() {
        return "fp32".equals(precision) ? 4 : 2;
    }

    public static Hardware named(String name) {
        Hardware h = NAMED.get(name);
        if (h == null) {
            throw new HearthException("unknown hardware '" + name + "'; choose here (this machine, measured) or one of "
                    + String.join(", ", new java.util.TreeSet<>(NAMED.keySet())));
        }
        return h;
    }

    /**
     * This machine, measured in about three seconds: the engine's fp32 GEMM rate on 512×512×512 with
     * every compute thread (best of several), memory bandwidth from copying a 256 MB array, and the
     * memory the JVM may use.
     */
    public static Hardware measureHere() {
        int n = 512;
        float[] a = new float[n * n];
        float[] b = new float[n * n];
        float[] c = new float[n * n];
        java.util.Arrays.fill(a, 0.5f);
        java.util.Arrays.fill(b, 0.25f);
        double best = 0;
        long until = System.nanoTime() + 3_000_000_000L;
        for (int i = 0; i < 400 && System.nanoTime() < until; i++) { // the JIT needs a couple of seconds to compile the kernel
            long t0 = System.nanoTime();
            Gemm.sgemm(n, n, n, 1f, a, 0, n, 1, b, 0, n, 1, 0f, c, 0, n);
            best = Math.max(best, 2.0 * n * n * n / ((System.nanoTime() - t0) / 1e9));
        }
        long[] src = new long[32 << 20];
        long[] dst = new long[32 << 20];
        double bw = 0;
        for (int r = 0; r < 4; r++) {
            long t0 = System.nanoTime();
            System.arraycopy(src, 0, dst, 0, src.length);
            bw = Math.max(bw, 2.0 * src.length * 8 / ((System.nanoTime() - t0) / 1e9)); // read + write
        }
        return new Hardware("here", best, "fp32", Runtime.getRuntime().maxMemory(), bw,
                String.format(java.util.Locale.ROOT, "measured: engine sgemm 512^3 %.1f GFLOP/s, copy %.1f GB/s, JVM heap %.1f GB",
                        best / 1e9, bw / 1e9, Runtime.getRuntime().maxMemory() / 1e9));
    }
}
