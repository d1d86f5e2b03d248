package dev.hearth.bench;

import dev.hearth.engine.kernels.Gemm;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * JMH timing of {@link Gemm#sgemm}: C (m x n) = A (m x k) * B (k x n), each shape given as
 * "m x n x k" with a layout suffix: {@code nn} both row-major, {@code nt} B a transposed view
 * (x * W^T, as a linear layer stores W), {@code tn} A a transposed view. Divide 2*m*n*k by the
 * time for GFLOP/s, or run {@link GemmGflops}, which prints GFLOP/s directly.
 *
 * <pre>
 * java -jar bench/target/benchmarks.jar GemmBenchmark
 * java -jar bench/target/benchmarks.jar GemmBenchmark -p shape=1024x1024x1024nn -jvmArgsAppend -Dhearth.threads=1
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class GemmBenchmark {

    @Param({"64x64x64nn", "256x256x256nn", "512x512x512nn", "1024x1024x1024nn",
            "1024x1536x384nt", "1024x384x1536nn", "1536x384x1024tn", "768x384x128nn",
            "1x2304x768nt", "1x768x2304nn"})
    public String shape;

    private int m, n, k, aRs, aCs, bRs, bCs;
    private float[] a, b, c;

    @Setup
    public void setUp() {
        String layout = shape.substring(shape.length() - 2);
        String[] dims = shape.substring(0, shape.length() - 2).split("x");
        m = Integer.parseInt(dims[0]);
        n = Integer.parseInt(dims[1]);
        k = Integer.parseInt(dims[2]);
        Random random = new Random(42);
        a = new float[m * k];
        b = new float[k * n];
        c = new float[m * n];
        for (int i = 0; i < a.length; i++) {
            a[i] = random.nextFloat() - 0.5f;
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = random.nextFloat() - 0.5f;
        }
        boolean aTransposed = layout.charAt(0) == 't';
        boolean bTransposed = layout.charAt(1) == 't';
        aRs = aTransposed ? 1 : k;
        aCs = aTransposed ? m : 1;
        bRs = bTransposed ? 1 : n;
        bCs = bTransposed ? k : 1;
    }

    @Benchmark
    public float[] sgemm() {
        Gemm.sgemm(m, n, k, 1f, a, 0, aRs, aCs, b, 0, bRs, bCs, 0f, c, 0, n);
        return c;
    }
}
