package dev.hearth.engine.tensor;

/**
 * The one source of randomness in Hearth: xoshiro256** seeded through SplitMix64, so a seed
 * gives the same stream on every JVM and platform. Not thread-safe; give each thread its own
 * (see {@link #fork}). For randomness that must not depend on how work is split across threads
 * (dropout masks), use the counter-based {@link #uniform(long, long)}.
 */
public final class Rng {
    private long s0;
    private long s1;
    private long s2;
    private long s3;
    private double spareGaussian = Double.NaN;

    public Rng(long seed) {
        long x = seed;
        s0 = splitMix(x += 0x9E3779B97F4A7C15L);
        s1 = splitMix(x += 0x9E3779B97F4A7C15L);
        s2 = splitMix(x += 0x9E3779B97F4A7C15L);
        s3 = splitMix(x + 0x9E3779B97F4A7C15L);
    }

    private Rng(long s0, long s1, long s2, long s3) {
        this.s0 = s0;
        this.s1 = s1;
        this.s2 = s2;
        this.s3 = s3;
    }

    /** A copy that continues the same stream; saving it saves the position. */
    public Rng copy() {
        Rng r = new Rng(s0, s1, s2, s3);
        r.spareGaussian = spareGaussian;
        return r;
    }

    /** An independent generator derived from this one's next output. */
    public Rng fork() {
        return new Rng(nextLong());
    }

    /** The full state, for checkpoints: four longs and the cached Gaussian (as raw bits). */
    public long[] state() {
        return new long[] {s0, s1, s2, s3, Double.doubleToRawLongBits(spareGaussian)};
    }

    public static Rng fromState(long[] state) {
        if (state.length != 5) {
            throw new IllegalArgumentException("an Rng state has 5 longs, got " + state.length);
        }
        Rng r = new Rng(state[0], state[1], state[2], state[3]);
        r.spareGaussian = Double.longBitsToDouble(state[4]);
        return r;
    }

    public long nextLong() {
        long result = Long.rotateLeft(s1 * 5, 7) * 9;
        long t = s1 << 17;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = Long.rotateLeft(s3, 45);
        return result;
    }

    /** Uniform in [0, 1) with 53 random bits. */
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /** Uniform in [0, 1) with 24 random bits. */
    public float nextFloat() {
        return (nextLong() >>> 40) * 0x1.0p-24f;
    }

    /** Uniform in [0, bound), without modulo bias. */
    public int nextInt(int bound) {
        if (bound <= 0) {
            throw new IllegalArgumentException("bound must be positive, got " + bound);
        }
        long r = nextLong() >>> 33; // 31 bits
        long m = r * bound;
        int l = (int) m & 0x7FFFFFFF;
        if (l < bound) {
            int threshold = (int) ((1L << 31) % bound);
            while (l < threshold) {
                r = nextLong() >>> 33;
                m = r * bound;
                l = (int) m & 0x7FFFFFFF;
            }
        }
        return (int) (m >>> 31);
    }

    /** Uniform in [0, bound) for bounds beyond int, without modulo bias. */
    public long nextLong(long bound) {
        if (bound <= 0) {
            throw new IllegalArgumentException("bound must be positive, got " + bound);
        }
        long limit = Long.MAX_VALUE - Long.MAX_VALUE % bound;
        long r;
        do {
            r = nextLong() >>> 1;
        } while (r >= limit);
        return r % bound;
    }

    /** Standard normal, by the Box-Muller transform (the second value is kept for the next call). */
    public double nextGaussian() {
        if (!Double.isNaN(spareGaussian)) {
            double g = spareGaussian;
            spareGaussian = Double.NaN;
            return g;
        }
        double u1;
        do {
            u1 = nextDouble();
        } while (u1 <= 0);
        double u2 = nextDouble();
        double r = Math.sqrt(-2 * StrictMath.log(u1));
        spareGaussian = r * StrictMath.sin(2 * Math.PI * u2);
        return r * StrictMath.cos(2 * Math.PI * u2);
    }

    /** Fisher-Yates shuffle of {@code a} in place. */
    public void shuffle(int[] a) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    /**
     * A uniform value in [0, 1) that depends only on {@code (key, counter)}: the same pair gives
     * the same value on any thread, in any order.
     */
    public static float uniform(long key, long counter) {
        long z = splitMix(key ^ splitMix(counter + 0x632BE59BD9B4E019L));
        return (z >>> 40) * 0x1.0p-24f;
    }

    static long splitMix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
