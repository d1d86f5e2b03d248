package dev.hearth.engine.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Single-precision general matrix multiply: {@code C = alpha * A * B + beta * C}.
 *
 * <p>Shapes and layout: A is m x k with element (i, p) at {@code a[aOff + i*aRs + p*aCs]}, B is
 * k x n with element (p, j) at {@code b[bOff + p*bRs + j*bCs]}, so either operand may be a
 * transposed or strided view without a copy; C is m x n, row-major with row stride {@code ldc}:
 * element (i, j) at {@code c[cOff + i*ldc + j]}. When {@code beta == 0} C is only written, never
 * read (NaNs in it do not propagate).
 *
 * <p>The fast path is packed and blocked the way GotoBLAS and BLIS are: B is packed into KC x NR
 * micro-panels and A into MR x KC micro-panels, and a register-tiled micro-kernel computes each
 * MR x NR tile of C with fused multiply-adds, one broadcast A value against two vectors of B per
 * row. The tile height is chosen from the vector width when the class loads (see {@link #MR});
 * the cache blocks (KC, MC, NC) are described where they are defined.
 *
 * <p>Threads split C only, never the sum over k: into whole tiles of rows (each thread then packs
 * all of B) when m >= n, else into whole panels of columns (each packs all of A), so the packing
 * that is repeated is the smaller one, and a product costs one fork and join. Every element therefore
 * sees the same sequence of operations whatever the thread count, and results are bit-identical.
 * Products below {@link #PARALLEL_MIN_WORK} multiply-adds stay on the calling thread. One-row and
 * one-column products (matrix times vector) take a streaming path without packing.
 */
public final class Gemm {
    private Gemm() {}

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int V = S.length();

    /** Columns of a register tile: two vectors. */
    static final int NR = 2 * V;
    /**
     * Tile height for 32 vector registers (AVX-512): 14 rows x 2 vectors = 28 accumulators, plus
     * two B vectors and one broadcast A value. On Ice Lake it beat 12 x 2, 8 x 2, 6 x 3 and 9 x 3.
     */
    static final int MR_WIDE = 14;
    /**
     * Tile height for 16 vector registers (AVX2): 4 x 2 = 8 accumulators. Tiles with 12
     * accumulators spilled registers under C2 on Zen 3 (see notes/measured-here.md).
     */
    static final int MR_NARROW = 4;
    /** The tile height this machine uses: {@link #MR_WIDE} on 512-bit vectors, else {@link #MR_NARROW}. */
    static final int MR = V >= 16 ? MR_WIDE : MR_NARROW;

    /*
     * Cache blocking. The loops of one thread, outside in: chunks of columns of B, each packed whole
     * (k x chunk floats, at most B_PACK_FLOATS); blocks of MC rows of A, each packed whole (MC x k);
     * blocks of NC columns of C; blocks of KC steps of k; then tiles, NR-column panels outside and
     * MR-row panels inside. An MC x NC block of C thus stays in L2 while every block of k is added
     * into it; with the usual order (k blocks outside the C blocks) C went to memory and back once
     * per block of k, which cost 20-25% at 2048^3. Packing buffers are per thread and reused.
     *
     * Wide tile, measured on Ice Lake (48 KiB L1, 1.25 MiB L2, a noisy shared VM): KC 512 / MC 112
     * gave the best of several sizes at 1024^3 on two threads in alternating best-of-60 runs
     * (169-179 GFLOP/s, against 148-158 for KC 1024 / MC 84 and 142-166 for KC 256 / MC 168); at 512^3
     * and 2048^3 the three were within the noise. Narrow tile: classic sizes (a 256 x 16-float B
     * micro-panel, 16 KiB, in L1, A and C blocks well inside a 512 KiB L2), not measured here.
     */
    /** Steps of the sum per block (k is cut into equal blocks of at most this), wide and narrow tile. */
    static final int KC_WIDE = 512;
    static final int KC_NARROW = 256;
    /** Rows of C per block at most, wide and narrow tile (whole tiles, blocks as equal as tiles allow). */
    static final int MC_WIDE = 112;
    static final int MC_NARROW = 96;
    /** Columns of C per block (whole panels). */
    static final int NC = Math.max(NR, 512 / NR * NR);
    /** Floats of packed B at most: B is packed in chunks of k x (B_PACK_FLOATS / k) columns. */
    static final int B_PACK_FLOATS = 1 << 21;

    /** Products with fewer multiply-adds (m*n*k) than this run on the calling thread. */
    static final long PARALLEL_MIN_WORK = 64L * 64 * 64;
    /**
     * Up to this many columns of B per packed chunk, a row-major A is read in place rather than
     * packed (see {@link #macroKernelDirect}): each packed A panel would serve at most 8 column
     * panels. Rows 4 KiB apart (a multiple of 1024 floats) would all fall in one L1 set, so those
     * are still packed.
     */
    static final int DIRECT_A_MAX_COLUMNS = 8 * NR;
    /**
     * Matrix-vector (and few-row) products with fewer multiply-adds than this run on the calling
     * thread. At 2^18 the 15M Llama's 288 x 288 and 768 x 288 matrices stayed on one thread and
     * only the head split: two threads decoded in fp32 at 211-221 tok/s; at 2^15 (as the quantized
     * products, {@code QuantizedMatMul.PARALLEL_MIN_WORK}) 283-326 (QuantizedGenerationSpeed).
     */
    static final long GEMV_PARALLEL_MIN_WORK = 1L << 15;

    /** AVX-512 has scatter stores; narrower x86 vectors do not, so packing copies with scalars. */
    private static final boolean SCATTER = V >= 16;

    // ------------------------------------------------------------------ entry points

    public static void sgemm(int m, int n, int k, float alpha,
                             float[] a, int aOff, int aRs, int aCs,
                             float[] b, int bOff, int bRs, int bCs,
                             float beta, float[] c, int cOff, int ldc) {
        sgemm(ComputePool.shared(), MR, m, n, k, alpha, a, aOff, aRs, aCs, b, bOff, bRs, bCs, beta, c, cOff, ldc);
    }

    /**
     * The fast path on a given pool with a given tile height ({@link #MR_WIDE} or
     * {@link #MR_NARROW}: both are correct on any vector width), so tests can cover both tiles
     * and compare thread counts.
     */
    static void sgemm(ComputePool pool, int mr, int m, int n, int k, float alpha,
                      float[] a, int aOff, int aRs, int aCs,
                      float[] b, int bOff, int bRs, int bCs,
                      float beta, float[] c, int cOff, int ldc) {
        if (mr != MR_WIDE && mr != MR_NARROW) {
            throw new IllegalArgumentException("tile height must be " + MR_WIDE + " or " + MR_NARROW + ", got " + mr);
        }
        if (m < 0 || n < 0 || k < 0) {
            throw new IllegalArgumentException("matrix sizes must be >= 0, got m=" + m + " n=" + n + " k=" + k);
        }
        if (m == 0 || n == 0) {
            return;
        }
        if (k == 0) {
            scaleC(m, n, beta, c, cOff, ldc);
            return;
        }
        if (m == 1) {
            // C row (1 x n) = A row (1 x k) * B (k x n)
            gemv(pool, n, k, alpha, a, aOff, aCs, b, bOff, bRs, bCs, beta, c, cOff, 1);
            return;
        }
        if (aCs == 1 && bRs == 1 && (m <= SMALL_M || (m <= 4 * SMALL_M && (long) n * k <= SMALL_DOTS_MAX_WEIGHT))) {
            // a few rows times a weight stored (n x k) row-major: the batched decode step, or a short
            // prompt through a weight that stays in L2, where packing costs more than it saves
            smallDots(pool, m, n, k, alpha, a, aOff, aRs, b, bOff, bCs, beta, c, cOff, ldc);
            return;
        }
        if (n == 1) {
            // C column (m x 1) = A (m x k) * B column (k x 1), i.e. its transpose (1 x k) * A^T (k x m)
            gemv(pool, m, k, alpha, b, bOff, bRs, a, aOff, aCs, aRs, beta, c, cOff, ldc);
            return;
        }
        split(pool, mr, m, n, k, alpha, a, aOff, aRs, aCs, (jb, nb, kc, bp) -> packB(nb, k, kc, b, bOff + jb * bCs,
                bRs, bCs, bp), beta, c, cOff, ldc);
    }

    /**
     * C (m x n) = A (m x k) * B + beta * C with B given as {@link #panels} and A row-major: the
     * blocked product of {@link #sgemm}, packing B by copying whole panel runs (B's values land where
     * packing them from a matrix would put them, so the results are the same). For many rows; a
     * few take {@link #smallRows}.
     */
    public static void sgemmPanels(int m, int n, int k, float[] a, int aOff, int aRs, float[] panels, float beta,
                                   float[] c, int cOff, int ldc) {
        if (m < 0 || n < 0 || k < 0 || (long) ceilDiv(n, NR) * NR * k > panels.length) {
            throw new IllegalArgumentException("sgemmPanels: m=" + m + " n=" + n + " k=" + k + " with "
                    + panels.length + " floats of panels");
        }
        if (m == 0 || n == 0) {
            return;
        }
        if (k == 0) {
            scaleC(m, n, beta, c, cOff, ldc);
            return;
        }
        split(ComputePool.shared(), MR, m, n, k, 1f, a, aOff, aRs, 1,
                (jb, nb, kc, bp) -> packPanels(panels, k, jb, nb, kc, bp), beta, c, cOff, ldc);
    }

    /** Packs columns [jb, jb + nb) of B, all k rows, into {@code bp} in blocks of kc rows ({@link #packB}'s layout). */
    @FunctionalInterface
    private interface BPacker {
        void pack(int jb, int nb, int kc, float[] bp);
    }

    /** The blocked product on {@code pool}'s threads, split by whole tiles of rows or whole panels of columns. */
    private static void split(ComputePool pool, int mr, int m, int n, int k, float alpha, float[] a, int aOff, int aRs,
                              int aCs, BPacker b, float beta, float[] c, int cOff, int ldc) {
        int threads = pool.threads();
        int rowTiles = ceilDiv(m, mr);
        int colPanels = ceilDiv(n, NR);
        if ((long) m * n * k < PARALLEL_MIN_WORK || threads == 1 || Math.max(rowTiles, colPanels) < 2) {
            blocked(mr, 0, m, 0, n, k, alpha, a, aOff, aRs, aCs, b, beta, c, cOff, ldc);
        } else if (colPanels < threads || (m >= n && rowTiles >= threads)) {
            // whole tiles of rows per thread; each packs all of B it needs (k x n, the smaller operand)
            pool.parallelFor(rowTiles, (t0, t1) -> blocked(mr, t0 * mr, Math.min(m, t1 * mr), 0, n, k,
                    alpha, a, aOff, aRs, aCs, b, beta, c, cOff, ldc));
        } else {
            // whole panels of columns per thread; each packs all of A it needs (m x k, the smaller operand)
            pool.parallelFor(colPanels, (q0, q1) -> blocked(mr, 0, m, q0 * NR, Math.min(n, q1 * NR), k,
                    alpha, a, aOff, aRs, aCs, b, beta, c, cOff, ldc));
        }
    }

    // ------------------------------------------------------------------ blocked product

    /** Per-thread packing buffers, grown on demand and reused across calls. */
    private static final class PackBuffers {
        float[] a = new float[0];
        float[] b = new float[0];
        /** Sums of a matrix-vector product, one per column. */
        float[] sums = new float[0];
        /** One tile of sums, MR_WIDE x NR, row-major. */
        final float[] tile = new float[MR_WIDE * NR];
        /** Scatter offsets {@code i*MR_WIDE}, {@code i*MR_NARROW} and {@code i*NR}, for packing. */
        final int[] strideWide = strides(MR_WIDE);
        final int[] strideNarrow = strides(MR_NARROW);
        final int[] strideNr = strides(NR);

        float[] a(int size) {
            if (a.length < size) {
                a = new float[size];
            }
            return a;
        }

        float[] b(int size) {
            if (b.length < size) {
                b = new float[size];
            }
            return b;
        }

        float[] sums(int size) {
            if (sums.length < size) {
                sums = new float[size];
            }
            return sums;
        }

        private static int[] strides(int stride) {
            int[] offsets = new int[V];
            for (int i = 0; i < V; i++) {
                offsets[i] = i * stride;
            }
            return offsets;
        }
    }

    private static final ThreadLocal<PackBuffers> BUFFERS = ThreadLocal.withInitial(PackBuffers::new);

    /**
     * C[i0:i1, j0:j1] = alpha * A[i0:i1, :] * B[:, j0:j1] + beta * C[i0:i1, j0:j1] on the calling
     * thread; i0 is a multiple of the tile height and j0 of NR, so tiles sit at the same places
     * however the threads split C.
     *
     * <p>Loops, outside in: chunks of columns whose packed B (k x chunk) fits B_PACK_FLOATS; blocks
     * of MC rows, whose packed A (MC x k) is this thread's; blocks of NC columns; blocks of KC
     * steps of k. So each MC x NC block of C stays in L2 while all of k is summed into it, rather
     * than travelling to memory and back once per block of k.
     */
    private static void blocked(int mr, int i0, int i1, int j0, int j1, int k, float alpha,
                                float[] a, int aOff, int aRs, int aCs, BPacker b,
                                float beta, float[] c, int cOff, int ldc) {
        int kcMax = mr == MR_WIDE ? KC_WIDE : KC_NARROW;
        int kc = ceilDiv(k, ceilDiv(k, kcMax)); // equal blocks of k: 1100 gives 550 + 550, not 1024 + 76
        int chunkMax = Math.min(roundUp(j1 - j0, NR), Math.max(NR, B_PACK_FLOATS / k / NR * NR));
        float[] bp = BUFFERS.get().b(chunkMax * k);
        for (int jb = j0; jb < j1; jb += chunkMax) {
            int chunk = Math.min(chunkMax, j1 - jb);
            b.pack(jb, chunk, kc, bp);
            rowBlocks(mr, i0, i1, chunk, k, kc, alpha, a, aOff, aRs, aCs, bp, beta, c, cOff + jb, ldc);
        }
    }

    /**
     * Rows [i0, i1) against one packed chunk of B: C[i0:i1, 0:nb] = alpha * A[i0:i1, :] * Bp +
     * beta * C[i0:i1, 0:nb], with A at {@code a[ao + i*aRs + p*aCs]} and C at
     * {@code c[co + i*ldc + j]}. Packs A, MC rows at a time, into this thread's buffer.
     */
    private static void rowBlocks(int mr, int i0, int i1, int nb, int k, int kc, float alpha,
                                  float[] a, int ao, int aRs, int aCs, float[] bp,
                                  float beta, float[] c, int co, int ldc) {
        // blocks of whole tiles, as equal as can be: 37 tiles in blocks of at most 6 give 5,5,5,6,5,5,6
        int tiles = ceilDiv(i1 - i0, mr);
        int blocks = ceilDiv(tiles, (mr == MR_WIDE ? MC_WIDE : MC_NARROW) / mr);
        PackBuffers buffers = BUFFERS.get();
        float[] ap = buffers.a(ceilDiv(tiles, blocks) * mr * k);
        int[] scatter = mr == MR_WIDE ? buffers.strideWide : buffers.strideNarrow;
        int nbPadded = roundUp(nb, NR);
        boolean direct = mr == MR_WIDE && aCs == 1 && nbPadded <= DIRECT_A_MAX_COLUMNS && aRs % 1024 != 0;
        for (int q = 0; q < blocks; q++) {
            int ic = i0 + tiles * q / blocks * mr;
            int mc = Math.min(i1, i0 + tiles * (q + 1) / blocks * mr) - ic;
            int mcPadded = roundUp(mc, mr);
            if (!direct) {
                packA(mr, mc, k, kc, a, ao + ic * aRs, aRs, aCs, ap, scatter);
            }
            for (int jc = 0; jc < nb; jc += NC) {
                int nc = Math.min(NC, nb - jc);
                for (int pc = 0; pc < k; pc += kc) {
                    int kcb = Math.min(kc, k - pc);
                    if (direct) {
                        macroKernelDirect(mc, nc, kcb, a, ao + ic * aRs + pc, aRs, bp, pc * nbPadded + jc * kcb,
                                alpha, beta, pc == 0, c, co + ic * ldc + jc, ldc, buffers.tile);
                    } else {
                        macroKernel(mr, mc, nc, kcb, ap, pc * mcPadded, bp, pc * nbPadded + jc * kcb,
                                alpha, beta, pc == 0, c, co + ic * ldc + jc, ldc, buffers.tile);
                    }
                }
            }
        }
    }

    /**
     * All tiles of one packed block of A (mc x kc, at {@code ap[ao..]}) and one of B (kc x nc, at
     * {@code bp[bo..]}): C[0:mc, 0:nc] (+)= alpha * Ap * Bp, C at {@code c[co + i*ldc + j]}. Column
     * panels outside, row panels inside: each B micro-panel serves every row panel while it is hot
     * in cache, and the A block streams past it.
     */
    private static void macroKernel(int mr, int mc, int nc, int kc, float[] ap, int ao, float[] bp, int bo,
                            float alpha, float beta, boolean first,
                            float[] c, int co, int ldc, float[] tile) {
        for (int jr = 0; jr < nc; jr += NR) {
            int cols = Math.min(NR, nc - jr);
            int bi = bo + jr * kc; // panel jr/NR starts at (jr/NR) * kc * NR
            for (int ir = 0; ir < mc; ir += mr) {
                int rows = Math.min(mr, mc - ir);
                int ai = ao + ir * kc; // panel ir/mr starts at (ir/mr) * kc * mr
                if (mr == MR_WIDE) {
                    kernel14(kc, ap, ai, bp, bi, tile);
                } else {
                    kernel4(kc, ap, ai, bp, bi, tile);
                }
                updateC(rows, cols, tile, alpha, beta, first, c, co + ir * ldc + jr, ldc);
            }
        }
    }

    /**
     * {@link #macroKernel} for the wide tile with A read where it lies, unpacked: rows of A are
     * contiguous in k (row-major A, {@code aCs == 1}), element (i, p) at {@code a[ao + i*lda + p]}.
     * Packing A copies every element once per row block, which does not pay for itself when B is
     * narrow (few column panels reuse each packed panel): with k = 128 and n = 128 packing took a
     * sixth of the time. The fourteen rows are fourteen sequential streams, which L1 serves well.
     */
    private static void macroKernelDirect(int mc, int nc, int kc, float[] a, int ao, int lda, float[] bp, int bo,
                                          float alpha, float beta, boolean first,
                                          float[] c, int co, int ldc, float[] tile) {
        for (int jr = 0; jr < nc; jr += NR) {
            int cols = Math.min(NR, nc - jr);
            int bi = bo + jr * kc;
            for (int ir = 0; ir < mc; ir += MR_WIDE) {
                int rows = Math.min(MR_WIDE, mc - ir);
                kernel14Direct(kc, a, ao + ir * lda, lda, rows, bp, bi, tile);
                updateC(rows, cols, tile, alpha, beta, first, c, co + ir * ldc + jr, ldc);
            }
        }
    }

    /**
     * C[0:rows, 0:cols] from a tile of sums T (row-major, row stride NR): on the first block of k,
     * {@code C = alpha*T + beta*C} ({@code alpha*T} when beta is 0, C unread); on later blocks
     * {@code C += alpha*T}. Each element gets one rounding per fused multiply-add, the same in the
     * vector body and the scalar edge, so edge and full tiles agree to the bit.
     */
    private static void updateC(int rows, int cols, float[] t, float alpha, float beta, boolean first,
                                float[] c, int ci, int ldc) {
        if (cols == NR) {
            for (int r = 0; r < rows; r++) {
                updateRow(t, r * NR, c, ci + r * ldc, alpha, beta, first);
            }
            return;
        }
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < cols; j++) {
                int x = ci + r * ldc + j;
                c[x] = update(t[r * NR + j], c[x], alpha, beta, first);
            }
        }
    }

    /** {@link #updateC} for one full tile row: NR sums at {@code t[ti]} into {@code c[ci]}. */
    private static void updateRow(float[] t, int ti, float[] c, int ci, float alpha, float beta, boolean first) {
        FloatVector s0 = FloatVector.fromArray(S, t, ti);
        FloatVector s1 = FloatVector.fromArray(S, t, ti + V);
        if (!first) {
            FloatVector va = FloatVector.broadcast(S, alpha);
            s0.fma(va, FloatVector.fromArray(S, c, ci)).intoArray(c, ci);
            s1.fma(va, FloatVector.fromArray(S, c, ci + V)).intoArray(c, ci + V);
        } else if (beta == 0) {
            s0.mul(alpha).intoArray(c, ci);
            s1.mul(alpha).intoArray(c, ci + V);
        } else {
            FloatVector vb = FloatVector.broadcast(S, beta);
            FloatVector.fromArray(S, c, ci).fma(vb, s0.mul(alpha)).intoArray(c, ci);
            FloatVector.fromArray(S, c, ci + V).fma(vb, s1.mul(alpha)).intoArray(c, ci + V);
        }
    }

    /** {@link #updateC} for one element with sum s. */
    private static float update(float s, float c, float alpha, float beta, boolean first) {
        if (!first) {
            return Math.fma(s, alpha, c);
        }
        return beta == 0 ? alpha * s : Math.fma(c, beta, alpha * s);
    }

    // ------------------------------------------------------------------ micro-kernels
    //
    // The tile of sums is handed back through a small array rather than written to C by the
    // kernel: with 28 accumulators, inlining 14 row updates into the kernel pushes C2 past its
    // inlining node budget, and the updates that are not inlined box their vectors.

    /**
     * Register tile of 14 x NR (NR = two vectors): {@code T[0:14, 0:NR] = Ap * Bp}, a sum over kc steps.
     * ap: packed A micro-panel, element (r, p) at {@code ap[ao + p*14 + r]}; bp: packed B micro-panel,
     * element (p, j) at {@code bp[bo + p*NR + j]}; the tile T is row-major, (r, j) at {@code t[r*NR + j]}.
     * 28 accumulators + 2 B vectors + 1 broadcast A value live in registers.
     */
    private static void kernel14(int kc, float[] ap, int ao, float[] bp, int bo, float[] t) {
        FloatVector c0_0 = FloatVector.zero(S), c0_1 = FloatVector.zero(S);
        FloatVector c1_0 = FloatVector.zero(S), c1_1 = FloatVector.zero(S);
        FloatVector c2_0 = FloatVector.zero(S), c2_1 = FloatVector.zero(S);
        FloatVector c3_0 = FloatVector.zero(S), c3_1 = FloatVector.zero(S);
        FloatVector c4_0 = FloatVector.zero(S), c4_1 = FloatVector.zero(S);
        FloatVector c5_0 = FloatVector.zero(S), c5_1 = FloatVector.zero(S);
        FloatVector c6_0 = FloatVector.zero(S), c6_1 = FloatVector.zero(S);
        FloatVector c7_0 = FloatVector.zero(S), c7_1 = FloatVector.zero(S);
        FloatVector c8_0 = FloatVector.zero(S), c8_1 = FloatVector.zero(S);
        FloatVector c9_0 = FloatVector.zero(S), c9_1 = FloatVector.zero(S);
        FloatVector c10_0 = FloatVector.zero(S), c10_1 = FloatVector.zero(S);
        FloatVector c11_0 = FloatVector.zero(S), c11_1 = FloatVector.zero(S);
        FloatVector c12_0 = FloatVector.zero(S), c12_1 = FloatVector.zero(S);
        FloatVector c13_0 = FloatVector.zero(S), c13_1 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++, ao += 14, bo += NR) {
            FloatVector b0 = FloatVector.fromArray(S, bp, bo);
            FloatVector b1 = FloatVector.fromArray(S, bp, bo + V);
            FloatVector a;
            a = FloatVector.broadcast(S, ap[ao + 0]); c0_0 = a.fma(b0, c0_0); c0_1 = a.fma(b1, c0_1);
            a = FloatVector.broadcast(S, ap[ao + 1]); c1_0 = a.fma(b0, c1_0); c1_1 = a.fma(b1, c1_1);
            a = FloatVector.broadcast(S, ap[ao + 2]); c2_0 = a.fma(b0, c2_0); c2_1 = a.fma(b1, c2_1);
            a = FloatVector.broadcast(S, ap[ao + 3]); c3_0 = a.fma(b0, c3_0); c3_1 = a.fma(b1, c3_1);
            a = FloatVector.broadcast(S, ap[ao + 4]); c4_0 = a.fma(b0, c4_0); c4_1 = a.fma(b1, c4_1);
            a = FloatVector.broadcast(S, ap[ao + 5]); c5_0 = a.fma(b0, c5_0); c5_1 = a.fma(b1, c5_1);
            a = FloatVector.broadcast(S, ap[ao + 6]); c6_0 = a.fma(b0, c6_0); c6_1 = a.fma(b1, c6_1);
            a = FloatVector.broadcast(S, ap[ao + 7]); c7_0 = a.fma(b0, c7_0); c7_1 = a.fma(b1, c7_1);
            a = FloatVector.broadcast(S, ap[ao + 8]); c8_0 = a.fma(b0, c8_0); c8_1 = a.fma(b1, c8_1);
            a = FloatVector.broadcast(S, ap[ao + 9]); c9_0 = a.fma(b0, c9_0); c9_1 = a.fma(b1, c9_1);
            a = FloatVector.broadcast(S, ap[ao + 10]); c10_0 = a.fma(b0, c10_0); c10_1 = a.fma(b1, c10_1);
            a = FloatVector.broadcast(S, ap[ao + 11]); c11_0 = a.fma(b0, c11_0); c11_1 = a.fma(b1, c11_1);
            a = FloatVector.broadcast(S, ap[ao + 12]); c12_0 = a.fma(b0, c12_0); c12_1 = a.fma(b1, c12_1);
            a = FloatVector.broadcast(S, ap[ao + 13]); c13_0 = a.fma(b0, c13_0); c13_1 = a.fma(b1, c13_1);
        }
        c0_0.intoArray(t, 0 * NR); c0_1.intoArray(t, 0 * NR + V);
        c1_0.intoArray(t, 1 * NR); c1_1.intoArray(t, 1 * NR + V);
        c2_0.intoArray(t, 2 * NR); c2_1.intoArray(t, 2 * NR + V);
        c3_0.intoArray(t, 3 * NR); c3_1.intoArray(t, 3 * NR + V);
        c4_0.intoArray(t, 4 * NR); c4_1.intoArray(t, 4 * NR + V);
        c5_0.intoArray(t, 5 * NR); c5_1.intoArray(t, 5 * NR + V);
        c6_0.intoArray(t, 6 * NR); c6_1.intoArray(t, 6 * NR + V);
        c7_0.intoArray(t, 7 * NR); c7_1.intoArray(t, 7 * NR + V);
        c8_0.intoArray(t, 8 * NR); c8_1.intoArray(t, 8 * NR + V);
        c9_0.intoArray(t, 9 * NR); c9_1.intoArray(t, 9 * NR + V);
        c10_0.intoArray(t, 10 * NR); c10_1.intoArray(t, 10 * NR + V);
        c11_0.intoArray(t, 11 * NR); c11_1.intoArray(t, 11 * NR + V);
        c12_0.intoArray(t, 12 * NR); c12_1.intoArray(t, 12 * NR + V);
        c13_0.intoArray(t, 13 * NR); c13_1.intoArray(t, 13 * NR + V);
    }

    /**
     * {@link #kernel14} on unpacked A: row r at {@code a[ao + r*lda ..]}, contiguous in p. Rows at or
     * past {@code rows} repeat the last real row (their sums are computed and never stored), so an
     * edge tile never reads past A.
     */
    private static void kernel14Direct(int kc, float[] a, int ao, int lda, int rows, float[] bp, int bo, float[] t) {
        int last = rows - 1;
        int r0 = ao;
        int r1 = ao + Math.min(1, last) * lda;
        int r2 = ao + Math.min(2, last) * lda;
        int r3 = ao + Math.min(3, last) * lda;
        int r4 = ao + Math.min(4, last) * lda;
        int r5 = ao + Math.min(5, last) * lda;
        int r6 = ao + Math.min(6, last) * lda;
        int r7 = ao + Math.min(7, last) * lda;
        int r8 = ao + Math.min(8, last) * lda;
        int r9 = ao + Math.min(9, last) * lda;
        int r10 = ao + Math.min(10, last) * lda;
        int r11 = ao + Math.min(11, last) * lda;
        int r12 = ao + Math.min(12, last) * lda;
        int r13 = ao + Math.min(13, last) * lda;
        FloatVector c0_0 = FloatVector.zero(S), c0_1 = FloatVector.zero(S);
        FloatVector c1_0 = FloatVector.zero(S), c1_1 = FloatVector.zero(S);
        FloatVector c2_0 = FloatVector.zero(S), c2_1 = FloatVector.zero(S);
        FloatVector c3_0 = FloatVector.zero(S), c3_1 = FloatVector.zero(S);
        FloatVector c4_0 = FloatVector.zero(S), c4_1 = FloatVector.zero(S);
        FloatVector c5_0 = FloatVector.zero(S), c5_1 = FloatVector.zero(S);
        FloatVector c6_0 = FloatVector.zero(S), c6_1 = FloatVector.zero(S);
        FloatVector c7_0 = FloatVector.zero(S), c7_1 = FloatVector.zero(S);
        FloatVector c8_0 = FloatVector.zero(S), c8_1 = FloatVector.zero(S);
        FloatVector c9_0 = FloatVector.zero(S), c9_1 = FloatVector.zero(S);
        FloatVector c10_0 = FloatVector.zero(S), c10_1 = FloatVector.zero(S);
        FloatVector c11_0 = FloatVector.zero(S), c11_1 = FloatVector.zero(S);
        FloatVector c12_0 = FloatVector.zero(S), c12_1 = FloatVector.zero(S);
        FloatVector c13_0 = FloatVector.zero(S), c13_1 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++, bo += NR) {
            FloatVector b0 = FloatVector.fromArray(S, bp, bo);
            FloatVector b1 = FloatVector.fromArray(S, bp, bo + V);
            FloatVector x;
            x = FloatVector.broadcast(S, a[r0 + p]); c0_0 = x.fma(b0, c0_0); c0_1 = x.fma(b1, c0_1);
            x = FloatVector.broadcast(S, a[r1 + p]); c1_0 = x.fma(b0, c1_0); c1_1 = x.fma(b1, c1_1);
            x = FloatVector.broadcast(S, a[r2 + p]); c2_0 = x.fma(b0, c2_0); c2_1 = x.fma(b1, c2_1);
            x = FloatVector.broadcast(S, a[r3 + p]); c3_0 = x.fma(b0, c3_0); c3_1 = x.fma(b1, c3_1);
            x = FloatVector.broadcast(S, a[r4 + p]); c4_0 = x.fma(b0, c4_0); c4_1 = x.fma(b1, c4_1);
            x = FloatVector.broadcast(S, a[r5 + p]); c5_0 = x.fma(b0, c5_0); c5_1 = x.fma(b1, c5_1);
            x = FloatVector.broadcast(S, a[r6 + p]); c6_0 = x.fma(b0, c6_0); c6_1 = x.fma(b1, c6_1);
            x = FloatVector.broadcast(S, a[r7 + p]); c7_0 = x.fma(b0, c7_0); c7_1 = x.fma(b1, c7_1);
            x = FloatVector.broadcast(S, a[r8 + p]); c8_0 = x.fma(b0, c8_0); c8_1 = x.fma(b1, c8_1);
            x = FloatVector.broadcast(S, a[r9 + p]); c9_0 = x.fma(b0, c9_0); c9_1 = x.fma(b1, c9_1);
            x = FloatVector.broadcast(S, a[r10 + p]); c10_0 = x.fma(b0, c10_0); c10_1 = x.fma(b1, c10_1);
            x = FloatVector.broadcast(S, a[r11 + p]); c11_0 = x.fma(b0, c11_0); c11_1 = x.fma(b1, c11_1);
            x = FloatVector.broadcast(S, a[r12 + p]); c12_0 = x.fma(b0, c12_0); c12_1 = x.fma(b1, c12_1);
            x = FloatVector.broadcast(S, a[r13 + p]); c13_0 = x.fma(b0, c13_0); c13_1 = x.fma(b1, c13_1);
        }
        c0_0.intoArray(t, 0 * NR); c0_1.intoArray(t, 0 * NR + V);
        c1_0.intoArray(t, 1 * NR); c1_1.intoArray(t, 1 * NR + V);
        c2_0.intoArray(t, 2 * NR); c2_1.intoArray(t, 2 * NR + V);
        c3_0.intoArray(t, 3 * NR); c3_1.intoArray(t, 3 * NR + V);
        c4_0.intoArray(t, 4 * NR); c4_1.intoArray(t, 4 * NR + V);
        c5_0.intoArray(t, 5 * NR); c5_1.intoArray(t, 5 * NR + V);
        c6_0.intoArray(t, 6 * NR); c6_1.intoArray(t, 6 * NR + V);
        c7_0.intoArray(t, 7 * NR); c7_1.intoArray(t, 7 * NR + V);
        c8_0.intoArray(t, 8 * NR); c8_1.intoArray(t, 8 * NR + V);
        c9_0.intoArray(t, 9 * NR); c9_1.intoArray(t, 9 * NR + V);
        c10_0.intoArray(t, 10 * NR); c10_1.intoArray(t, 10 * NR + V);
        c11_0.intoArray(t, 11 * NR); c11_1.intoArray(t, 11 * NR + V);
        c12_0.intoArray(t, 12 * NR); c12_1.intoArray(t, 12 * NR + V);
        c13_0.intoArray(t, 13 * NR); c13_1.intoArray(t, 13 * NR + V);
    }

    /**
     * Register tile of 4 x NR (NR = two vectors): {@code T[0:4, 0:NR] = Ap * Bp}, a sum over kc steps.
     * ap: packed A micro-panel, element (r, p) at {@code ap[ao + p*4 + r]}; bp: packed B micro-panel,
     * element (p, j) at {@code bp[bo + p*NR + j]}; the tile T is row-major, (r, j) at {@code t[r*NR + j]}.
     * 8 accumulators + 2 B vectors + 1 broadcast A value live in registers.
     */
    private static void kernel4(int kc, float[] ap, int ao, float[] bp, int bo, float[] t) {
        FloatVector c0_0 = FloatVector.zero(S), c0_1 = FloatVector.zero(S);
        FloatVector c1_0 = FloatVector.zero(S), c1_1 = FloatVector.zero(S);
        FloatVector c2_0 = FloatVector.zero(S), c2_1 = FloatVector.zero(S);
        FloatVector c3_0 = FloatVector.zero(S), c3_1 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++, ao += 4, bo += NR) {
            FloatVector b0 = FloatVector.fromArray(S, bp, bo);
            FloatVector b1 = FloatVector.fromArray(S, bp, bo + V);
            FloatVector a;
            a = FloatVector.broadcast(S, ap[ao + 0]); c0_0 = a.fma(b0, c0_0); c0_1 = a.fma(b1, c0_1);
            a = FloatVector.broadcast(S, ap[ao + 1]); c1_0 = a.fma(b0, c1_0); c1_1 = a.fma(b1, c1_1);
            a = FloatVector.broadcast(S, ap[ao + 2]); c2_0 = a.fma(b0, c2_0); c2_1 = a.fma(b1, c2_1);
            a = FloatVector.broadcast(S, ap[ao + 3]); c3_0 = a.fma(b0, c3_0); c3_1 = a.fma(b1, c3_1);
        }
        c0_0.intoArray(t, 0 * NR); c0_1.intoArray(t, 0 * NR + V);
        c1_0.intoArray(t, 1 * NR); c1_1.intoArray(t, 1 * NR + V);
        c2_0.intoArray(t, 2 * NR); c2_1.intoArray(t, 2 * NR + V);
        c3_0.intoArray(t, 3 * NR); c3_1.intoArray(t, 3 * NR + V);
    }

    // ------------------------------------------------------------------ packing

    /**
     * Packs A[0:mc, 0:k] (element (i, p) at {@code a[ao + i*aRs + p*aCs]}) block by block of kc
     * steps: block pc starts at {@code pc * roundUp(mc, mr)} and holds micro-panels of mr rows,
     * panel q with element (r, p) at {@code q*mr*kcb + p*mr + r} (kcb: that block's length).
     * Rows past mc are zero.
     */
    private static void packA(int mr, int mc, int k, int kc, float[] a, int ao, int aRs, int aCs, float[] ap, int[] scatter) {
        int mcPadded = roundUp(mc, mr);
        for (int pc = 0; pc < k; pc += kc) {
            int kcb = Math.min(kc, k - pc);
            for (int i0 = 0; i0 < mc; i0 += mr) {
                int rows = Math.min(mr, mc - i0);
                int dst = pc * mcPadded + i0 * kcb;
                int src = ao + i0 * aRs + pc * aCs;
                if (aRs == 1 && mr <= V) {
                    // columns of A are contiguous (A is a transposed view): one masked vector per p
                    VectorMask<Float> valid = S.indexInRange(0, rows);
                    VectorMask<Float> panel = S.indexInRange(0, mr);
                    for (int p = 0; p < kcb; p++, src += aCs, dst += mr) {
                        FloatVector.fromArray(S, a, src, valid).intoArray(ap, dst, panel);
                    }
                } else {
                    for (int r = 0; r < rows; r++) {
                        copyStrided(kcb, a, src + r * aRs, aCs, ap, dst + r, mr, scatter);
                    }
                    for (int r = rows; r < mr; r++) {
                        for (int p = 0, d = dst + r; p < kcb; p++, d += mr) {
                            ap[d] = 0f;
                        }
                    }
                }
            }
        }
    }

    /**
     * Packs B[0:k, 0:nb] (element (p, j) at {@code b[bo + p*bRs + j*bCs]}) block by block of kc
     * steps: block pc starts at {@code pc * roundUp(nb, NR)} and holds micro-panels of NR columns,
     * panel q with element (p, j) at {@code q*NR*kcb + p*NR + j}. Columns past nb are zero.
     */
    private static void packB(int nb, int k, int kc, float[] b, int bo, int bRs, int bCs, float[] bp) {
        int[] scatter = BUFFERS.get().strideNr;
        int nbPadded = roundUp(nb, NR);
        for (int pc = 0; pc < k; pc += kc) {
            int kcb = Math.min(kc, k - pc);
            for (int jr = 0; jr < nb; jr += NR) {
                int cols = Math.min(NR, nb - jr);
                int dst = pc * nbPadded + jr * kcb;
                int src = bo + pc * bRs + jr * bCs;
                if (bCs == 1) {
                    // rows of B are contiguous: two vectors per p (masked at the last panel)
                    if (cols == NR) {
                        for (int p = 0; p < kcb; p++, src += bRs, dst += NR) {
                            FloatVector.fromArray(S, b, src).intoArray(bp, dst);
                            FloatVector.fromArray(S, b, src + V).intoArray(bp, dst + V);
                        }
                    } else {
                        VectorMask<Float> low = S.indexInRange(0, cols);
                        VectorMask<Float> high = S.indexInRange(V, cols);
                        for (int p = 0; p < kcb; p++, src += bRs, dst += NR) {
                            FloatVector.fromArray(S, b, src, low).intoArray(bp, dst);
                            FloatVector.fromArray(S, b, src + V, high).intoArray(bp, dst + V);
                        }
                    }
                } else {
                    for (int j = 0; j < cols; j++) {
                        copyStrided(kcb, b, src + j * bCs, bRs, bp, dst + j, NR, scatter);
                    }
                    for (int j = cols; j < NR; j++) {
                        for (int p = 0, d = dst + j; p < kcb; p++, d += NR) {
                            bp[d] = 0f;
                        }
                    }
                }
            }
        }
    }

    /**
     * {@link #packB} for columns [jb, jb + nb) of B given as {@link #panels} (jb a multiple of NR):
     * each block of kc rows of a panel is one contiguous run there, copied whole.
     */
    private static void packPanels(float[] panels, int k, int jb, int nb, int kc, float[] bp) {
        int nbPadded = roundUp(nb, NR);
        for (int pc = 0; pc < k; pc += kc) {
            int kcb = Math.min(kc, k - pc);
            for (int jr = 0; jr < nb; jr += NR) {
                System.arraycopy(panels, (jb + jr) * k + pc * NR, bp, pc * nbPadded + jr * kcb, kcb * NR);
            }
        }
    }

    /**
     * {@code dst[d + p*dstStride] = src[s + p*srcStride]} for p in [0, count); {@code scatter}
     * holds {@code i*dstStride}. A contiguous source takes vector loads and scatter stores where
     * the hardware has them.
     */
    private static void copyStrided(int count, float[] src, int s, int srcStride, float[] dst, int d, int dstStride,
                                    int[] scatter) {
        int p = 0;
        if (srcStride == 1 && SCATTER) {
            for (int bound = S.loopBound(count); p < bound; p += V) {
                FloatVector.fromArray(S, src, s + p).intoArray(dst, d + p * dstStride, scatter, 0);
            }
        }
        for (; p < count; p++) {
            dst[d + p * dstStride] = src[s + p * srcStride];
        }
    }

    // ------------------------------------------------------------------ matrix-vector

    /**
     * y = alpha * x * M + beta * y for a row vector x (k), a matrix M (k x n) and a row vector y (n):
     * {@code x[p]} at {@code x[xo + p*xs]}, M(p, j) at {@code mat[mo + p*mRs + j*mCs]}, {@code y[j]}
     * at {@code y[yo + j*ys]}. Rows of M contiguous (mCs == 1) take a vector path along j, columns
     * contiguous (mRs == 1) a vector dot product along p; other strides a scalar loop.
     */
    private static void gemv(ComputePool pool, int n, int k, float alpha, float[] x, int xo, int xs,
                             float[] mat, int mo, int mRs, int mCs, float beta, float[] y, int yo, int ys) {
        // contiguous copies of x and y when they are strided (a column of A or of C)
        PackBuffers buffers = BUFFERS.get();
        float[] xc = x;
        int xco = xo;
        if (xs != 1) {
            xc = buffers.a(k);
            xco = 0;
            for (int p = 0; p < k; p++) {
                xc[p] = x[xo + p * xs];
            }
        }
        float[] yc = y;
        int yco = yo;
        if (ys != 1) {
            yc = buffers.b(n);
            yco = 0;
            if (beta != 0) {
                for (int j = 0; j < n; j++) {
                    yc[j] = y[yo + j * ys];
                }
            }
        }
        float[] xf = xc;
        int xfo = xco;
        float[] yf = yc;
        int yfo = yco;
        float[] sums = mCs == 1 ? buffers.sums(n) : null;
        int chunk = GEMV_COLUMNS;
        int chunks = ceilDiv(n, chunk);
        if ((long) n * k < GEMV_PARALLEL_MIN_WORK || chunks < 2) {
            gemvColumns(0, n, k, alpha, xf, xfo, mat, mo, mRs, mCs, beta, yf, yfo, sums);
        } else {
            int grain = (int) Math.max(1, ceilDiv(GEMV_PARALLEL_MIN_WORK, (long) chunk * k));
            pool.parallelFor(chunks, grain, (c0, c1) -> gemvColumns(c0 * chunk, Math.min(n, c1 * chunk), k,
                    alpha, xf, xfo, mat, mo, mRs, mCs, beta, yf, yfo, sums));
        }
        if (ys != 1) {
            for (int j = 0; j < n; j++) {
                y[yo + j * ys] = yc[j];
            }
        }
    }

    /**
     * Most rows of A that {@link #smallDots} takes (more go to the packed, blocked product), and
     * up to 4x as many when the weight is at most {@link #SMALL_DOTS_MAX_WEIGHT} floats.
     */
    static final int SMALL_M = 8;

    /** A weight this small (1 MiB) stays in L2 while {@link #smallDots} reads it once per four rows. */
    static final long SMALL_DOTS_MAX_WEIGHT = 1L << 18;

    /**
     * C (m x n) = A (m x k) * B (k x n) for a few rows, when rows of A are contiguous
     * (A(i, p) at {@code a[aOff + i*aRs + p]}) and so are columns of B (B(p, j) at
     * {@code b[bOff + j*bCs + p]}, a weight stored (n x k) as {@code linear} uses it): the dot
     * products of {@link #gemvDots}, four rows of A sharing each load of B, so B is read
     * ceil(m/4) times and never packed. Each C(i, j) is summed in exactly the order gemvDots
     * uses, so a row gives the same bits here as alone: a sequence decodes the same in a batch.
     */
    private static void smallDots(ComputePool pool, int m, int n, int k, float alpha, float[] a, int aOff, int aRs,
                                  float[] b, int bOff, int bCs, float beta, float[] c, int cOff, int ldc) {
        int chunk = GEMV_COLUMNS;
        int chunks = ceilDiv(n, chunk);
        if ((long) m * n * k < GEMV_PARALLEL_MIN_WORK || chunks < 2 || pool.threads() == 1) {
            smallDotsColumns(0, n, m, k, alpha, a, aOff, aRs, b, bOff, bCs, beta, c, cOff, ldc);
        } else {
            int grain = (int) Math.max(1, ceilDiv(GEMV_PARALLEL_MIN_WORK, (long) chunk * k * m));
            pool.parallelFor(chunks, grain, (c0, c1) -> smallDotsColumns(c0 * chunk, Math.min(n, c1 * chunk), m, k,
                    alpha, a, aOff, aRs, b, bOff, bCs, beta, c, cOff, ldc));
        }
    }

    /** {@link #smallDots} for columns [j0, j1). */
    private static void smallDotsColumns(int j0, int j1, int m, int k, float alpha, float[] a, int aOff, int aRs,
                                         float[] b, int bOff, int bCs, float beta, float[] c, int cOff, int ldc) {
        int kv = S.loopBound(k);
        int i0 = 0;
        for (; i0 + 4 <= m; i0 += 4) {
            int a0 = aOff + i0 * aRs, a1 = a0 + aRs, a2 = a1 + aRs, a3 = a2 + aRs;
            int c0 = cOff + i0 * ldc, c1 = c0 + ldc, c2 = c1 + ldc, c3 = c2 + ldc;
            for (int j = j0; j < j1; j++) {
                int bj = bOff + j * bCs;
                FloatVector s0 = FloatVector.zero(S), s1 = s0, s2 = s0, s3 = s0;
                for (int p = 0; p < kv; p += V) {
                    FloatVector w = FloatVector.fromArray(S, b, bj + p);
                    s0 = w.fma(FloatVector.fromArray(S, a, a0 + p), s0);
                    s1 = w.fma(FloatVector.fromArray(S, a, a1 + p), s1);
                    s2 = w.fma(FloatVector.fromArray(S, a, a2 + p), s2);
                    s3 = w.fma(FloatVector.fromArray(S, a, a3 + p), s3);
                }
                c[c0 + j] = update(dotTail(s0, kv, k, a, a0, b, bj), c[c0 + j], alpha, beta, true);
                c[c1 + j] = update(dotTail(s1, kv, k, a, a1, b, bj), c[c1 + j], alpha, beta, true);
                c[c2 + j] = update(dotTail(s2, kv, k, a, a2, b, bj), c[c2 + j], alpha, beta, true);
                c[c3 + j] = update(dotTail(s3, kv, k, a, a3, b, bj), c[c3 + j], alpha, beta, true);
            }
        }
        for (; i0 < m; i0++) {
            gemvDots(j0, j1, k, alpha, a, aOff + i0 * aRs, b, bOff, bCs, beta, c, cOff + i0 * ldc);
        }
    }

    /** Most rows {@link #smallRows} is meant for; past it the packed product ({@link #sgemmPanels}) wins. */
    public static final int SMALL_ROWS = 32;

    /**
     * Largest weight (floats) whose {@link #panels} a frozen linear layer keeps beside the weight:
     * a second copy of every matrix up to 4 MiB; a larger one (a 32,000-token head) is read in place.
     */
    public static final long SMALL_ROWS_MAX_WEIGHT = 1L << 20;

    /**
     * A weight W (n x k, element (j, p) at {@code w[off + j*rs + p*cs]}) laid out for products with
     * B = W^T (k x n): in panels of {@link #NR} columns (two vectors), panel q holding B(p, q*NR + c)
     * at {@code q*NR*k + p*NR + c}, columns past n zero. It is the blocked product's packed B for
     * the whole matrix, and the few-row kernels ({@link #smallRows}) read each panel as one
     * sequential stream: a step of eight rows through the demo model's matrices took 140-144
     * against 210-213 µs read down the columns of a row-major transpose, where every row of a
     * column block was a new stride the prefetchers lost at each page (a lone row: 95-113 µs either way).
     */
    public static float[] panels(int n, int k, float[] w, int off, int rs, int cs) {
        long size = (long) ceilDiv(n, NR) * NR * k;
        if (n < 0 || k < 0 || size > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("panels: a weight of " + n + " x " + k + " is too large to lay out");
        }
        float[] out = new float[(int) size];
        for (int j = 0; j < n; j++) {
            int dst = j / NR * NR * k + j % NR;
            int src = off + j * rs;
            for (int p = 0; p < k; p++) {
                out[dst + p * NR] = w[src + p * cs];
            }
        }
        return out;
    }

    /**
     * C (m x n) = A (m x k) * B + beta * C for a few rows, B given as {@link #panels}: for each p,
     * one load of a panel's two vectors and a broadcast of A(i, p) per row feed multiply-adds into
     * that row's accumulators: no packing, no horizontal sums. Rows of A are contiguous
     * ({@code a[aOff + i*aRs + p]}); C's rows are {@code ldc} apart. Every C(i, j) is the same chain
     * of fused multiply-adds over p in order, whatever m is and whichever rows share a block: a row
     * gives the same bits alone or in any batch.
     *
     * Shapes: a (m, k), c (m, n); 1 <= m (any m works; it pays for m up to {@link #SMALL_ROWS}).
     */
    public static void smallRows(int m, int n, int k, float[] a, int aOff, int aRs, float[] panels, float beta,
                                 float[] c, int cOff, int ldc) {
        if (m % 4 == 1 && m > 1) {
            // one row past a multiple of four: that row alone (cheaper than three rows of padding; the
            // same bits, see above)
            smallRows(m - 1, n, k, a, aOff, aRs, panels, beta, c, cOff, ldc);
            smallRows(1, n, k, a, aOff + (m - 1) * aRs, aRs, panels, beta, c, cOff + (m - 1) * ldc, ldc);
            return;
        }
        if (m % 4 == 2 || m % 4 == 3) {
            // two or three rows past a multiple of four would take the one-row loop, whose two
            // chains of multiply-adds wait on each other: 2, 3, 6 and 7 rows cost more than 4 or 8
            // (a decode step of 7 sequences 400 us, of 8 320). Padded with copies of the last row
            // to a multiple of four, they share the four- and eight-row loops; the extra rows are
            // dropped.
            int padded = (m + 3) / 4 * 4;
            PackBuffers buffers = BUFFERS.get();
            float[] ap = buffers.a(padded * k);
            float[] cp = buffers.b(padded * n);
            for (int i = 0; i < padded; i++) {
                int from = Math.min(i, m - 1);
                System.arraycopy(a, aOff + from * aRs, ap, i * k, k);
                if (beta != 0) {
                    System.arraycopy(c, cOff + from * ldc, cp, i * n, n);
                }
            }
            smallRows(padded, n, k, ap, 0, k, panels, beta, cp, 0, n);
            for (int i = 0; i < m; i++) {
                System.arraycopy(cp, i * n, c, cOff + i * ldc, n);
            }
            return;
        }
        ComputePool pool = ComputePool.shared();
        int count = ceilDiv(n, NR);
        if ((long) m * n * k < GEMV_PARALLEL_MIN_WORK || count < 2 || pool.threads() == 1) {
            smallRowsPanels(0, count, m, n, k, a, aOff, aRs, panels, beta, c, cOff, ldc);
        } else {
            int grain = (int) Math.max(1, ceilDiv(GEMV_PARALLEL_MIN_WORK, (long) NR * k * m));
            pool.parallelFor(count, grain, (q0, q1) -> smallRowsPanels(q0, q1, m, n, k, a, aOff, aRs, panels, beta,
                    c, cOff, ldc));
        }
    }

    /** Whether the machine has the 32 vector registers of AVX-512 (vectors of 16 floats), not AVX2's 16. */
    private static final boolean WIDE_REGISTERS = V >= 16;

    /**
     * {@link #smallRows} for panels [q0, q1) (m is 1 or a multiple of four): eight rows at a time
     * where registers allow, then four, then a lone row. A panel that n ends inside is computed
     * into a small tile and only its columns before n are written, so the loops never need a mask:
     * a masked load inside them gives C2 a slow path that keeps every accumulator on the stack,
     * stored and reloaded on each pass over p (seen in the disassembly): eight rows ran at 3-10
     * GMAC/s that way, and at 21-46 without.
     */
    private static void smallRowsPanels(int q0, int q1, int m, int n, int k, float[] a, int aOff, int aRs,
                                        float[] panels, float beta, float[] c, int cOff, int ldc) {
        int whole = Math.min(q1, n / NR);
        rowsOf(q0, whole, m, k, a, aOff, aRs, panels, beta, c, cOff + q0 * NR, ldc);
        if (whole < q1) {
            int j0 = whole * NR;
            float[] tile = new float[m * NR];
            rowsOf(whole, whole + 1, m, k, a, aOff, aRs, panels, 0f, tile, 0, NR);
            for (int i = 0; i < m; i++) {
                for (int j = j0; j < n; j++) {
                    int ci = cOff + i * ldc + j;
                    float s = tile[i * NR + j - j0];
                    c[ci] = beta == 0 ? s : Math.fma(c[ci], beta, s);      // as the vector stores below
                }
            }
        }
    }

    /** All m rows for panels [q0, q1), panel q0's columns written from {@code c[cOff]}. */
    private static void rowsOf(int q0, int q1, int m, int k, float[] a, int aOff, int aRs, float[] panels, float beta,
                               float[] c, int cOff, int ldc) {
        if (q0 >= q1) {
            return;
        }
        int i = 0;
        for (; WIDE_REGISTERS && i + 8 <= m; i += 8) {
            eightRows(q0, q1, k, a, aOff + i * aRs, aRs, panels, beta, c, cOff + i * ldc, ldc);
        }
        for (; i + 4 <= m; i += 4) {
            fourRows(q0, q1, k, a, aOff + i * aRs, aRs, panels, beta, c, cOff + i * ldc, ldc);
        }
        for (; i < m; i++) {
            oneRow(q0, q1, k, a, aOff + i * aRs, panels, beta, c, cOff + i * ldc);
        }
    }

    /**
     * Eight rows of A (from {@code a0}, rows {@code aRs} apart) against panels [q0, q1): one pass
     * over each panel for all eight, 16 accumulators, which only AVX-512's 32 vector registers hold
     * without spilling. The accumulators are stored here, not through a helper: one C2 declines to
     * inline (NodeCountInliningCutoff) boxes them on every pass.
     */
    private static void eightRows(int q0, int q1, int k, float[] a, int a0, int aRs, float[] panels, float beta,
                                  float[] c, int cOff, int ldc) {
        for (int q = q0; q < q1; q++) {
            FloatVector s0 = FloatVector.zero(S), t0 = s0, s1 = s0, t1 = s0, s2 = s0, t2 = s0, s3 = s0, t3 = s0;
            FloatVector s4 = s0, t4 = s0, s5 = s0, t5 = s0, s6 = s0, t6 = s0, s7 = s0, t7 = s0;
            for (int p = 0, w = q * NR * k; p < k; p++, w += NR) {
                FloatVector wl = FloatVector.fromArray(S, panels, w);
                FloatVector wh = FloatVector.fromArray(S, panels, w + V);
                int ap = a0 + p;
                FloatVector x = FloatVector.broadcast(S, a[ap]);
                s0 = wl.fma(x, s0);
                t0 = wh.fma(x, t0);
                x = FloatVector.broadcast(S, a[ap + aRs]);
                s1 = wl.fma(x, s1);
                t1 = wh.fma(x, t1);
                x = FloatVector.broadcast(S, a[ap + 2 * aRs]);
                s2 = wl.fma(x, s2);
                t2 = wh.fma(x, t2);
                x = FloatVector.broadcast(S, a[ap + 3 * aRs]);
                s3 = wl.fma(x, s3);
                t3 = wh.fma(x, t3);
                x = FloatVector.broadcast(S, a[ap + 4 * aRs]);
                s4 = wl.fma(x, s4);
                t4 = wh.fma(x, t4);
                x = FloatVector.broadcast(S, a[ap + 5 * aRs]);
                s5 = wl.fma(x, s5);
                t5 = wh.fma(x, t5);
                x = FloatVector.broadcast(S, a[ap + 6 * aRs]);
                s6 = wl.fma(x, s6);
                t6 = wh.fma(x, t6);
                x = FloatVector.broadcast(S, a[ap + 7 * aRs]);
                s7 = wl.fma(x, s7);
                t7 = wh.fma(x, t7);
            }
            int r = cOff + (q - q0) * NR;
            if (beta != 0) {
                FloatVector b = FloatVector.broadcast(S, beta);
                s0 = FloatVector.fromArray(S, c, r).fma(b, s0);
                t0 = FloatVector.fromArray(S, c, r + V).fma(b, t0);
                s1 = FloatVector.fromArray(S, c, r + ldc).fma(b, s1);
                t1 = FloatVector.fromArray(S, c, r + ldc + V).fma(b, t1);
                s2 = FloatVector.fromArray(S, c, r + 2 * ldc).fma(b, s2);
                t2 = FloatVector.fromArray(S, c, r + 2 * ldc + V).fma(b, t2);
                s3 = FloatVector.fromArray(S, c, r + 3 * ldc).fma(b, s3);
                t3 = FloatVector.fromArray(S, c, r + 3 * ldc + V).fma(b, t3);
                s4 = FloatVector.fromArray(S, c, r + 4 * ldc).fma(b, s4);
                t4 = FloatVector.fromArray(S, c, r + 4 * ldc + V).fma(b, t4);
                s5 = FloatVector.fromArray(S, c, r + 5 * ldc).fma(b, s5);
                t5 = FloatVector.fromArray(S, c, r + 5 * ldc + V).fma(b, t5);
                s6 = FloatVector.fromArray(S, c, r + 6 * ldc).fma(b, s6);
                t6 = FloatVector.fromArray(S, c, r + 6 * ldc + V).fma(b, t6);
                s7 = FloatVector.fromArray(S, c, r + 7 * ldc).fma(b, s7);
                t7 = FloatVector.fromArray(S, c, r + 7 * ldc + V).fma(b, t7);
            }
            s0.intoArray(c, r);
            t0.intoArray(c, r + V);
            s1.intoArray(c, r + ldc);
            t1.intoArray(c, r + ldc + V);
            s2.intoArray(c, r + 2 * ldc);
            t2.intoArray(c, r + 2 * ldc + V);
            s3.intoArray(c, r + 3 * ldc);
            t3.intoArray(c, r + 3 * ldc + V);
            s4.intoArray(c, r + 4 * ldc);
            t4.intoArray(c, r + 4 * ldc + V);
            s5.intoArray(c, r + 5 * ldc);
            t5.intoArray(c, r + 5 * ldc + V);
            s6.intoArray(c, r + 6 * ldc);
            t6.intoArray(c, r + 6 * ldc + V);
            s7.intoArray(c, r + 7 * ldc);
            t7.intoArray(c, r + 7 * ldc + V);
        }
    }

    /** {@link #eightRows} for four rows (eight accumulators, which AVX2's 16 registers hold too). */
    private static void fourRows(int q0, int q1, int k, float[] a, int a0, int aRs, float[] panels, float beta,
                                 float[] c, int cOff, int ldc) {
        int a1 = a0 + aRs, a2 = a1 + aRs, a3 = a2 + aRs;
        for (int q = q0; q < q1; q++) {
            FloatVector s0 = FloatVector.zero(S), t0 = s0, s1 = s0, t1 = s0, s2 = s0, t2 = s0, s3 = s0, t3 = s0;
            for (int p = 0, w = q * NR * k; p < k; p++, w += NR) {
                FloatVector wl = FloatVector.fromArray(S, panels, w);
                FloatVector wh = FloatVector.fromArray(S, panels, w + V);
                FloatVector x0 = FloatVector.broadcast(S, a[a0 + p]);
                FloatVector x1 = FloatVector.broadcast(S, a[a1 + p]);
                FloatVector x2 = FloatVector.broadcast(S, a[a2 + p]);
                FloatVector x3 = FloatVector.broadcast(S, a[a3 + p]);
                s0 = wl.fma(x0, s0);
                t0 = wh.fma(x0, t0);
                s1 = wl.fma(x1, s1);
                t1 = wh.fma(x1, t1);
                s2 = wl.fma(x2, s2);
                t2 = wh.fma(x2, t2);
                s3 = wl.fma(x3, s3);
                t3 = wh.fma(x3, t3);
            }
            int r = cOff + (q - q0) * NR;
            if (beta != 0) {
                FloatVector b = FloatVector.broadcast(S, beta);
                s0 = FloatVector.fromArray(S, c, r).fma(b, s0);
                t0 = FloatVector.fromArray(S, c, r + V).fma(b, t0);
                s1 = FloatVector.fromArray(S, c, r + ldc).fma(b, s1);
                t1 = FloatVector.fromArray(S, c, r + ldc + V).fma(b, t1);
                s2 = FloatVector.fromArray(S, c, r + 2 * ldc).fma(b, s2);
                t2 = FloatVector.fromArray(S, c, r + 2 * ldc + V).fma(b, t2);
                s3 = FloatVector.fromArray(S, c, r + 3 * ldc).fma(b, s3);
                t3 = FloatVector.fromArray(S, c, r + 3 * ldc + V).fma(b, t3);
            }
            s0.intoArray(c, r);
            t0.intoArray(c, r + V);
            s1.intoArray(c, r + ldc);
            t1.intoArray(c, r + ldc + V);
            s2.intoArray(c, r + 2 * ldc);
            t2.intoArray(c, r + 2 * ldc + V);
            s3.intoArray(c, r + 3 * ldc);
            t3.intoArray(c, r + 3 * ldc + V);
        }
    }

    /**
     * A lone row (from {@code a0}) against panels [q0, q1): four panels at a time, so that eight
     * chains of multiply-adds are in flight rather than two that wait on each other, and the four
     * panels are four sequential streams.
     */
    private static void oneRow(int q0, int q1, int k, float[] a, int a0, float[] panels, float beta, float[] c,
                               int cOff) {
        int q = q0;
        for (; q + 4 <= q1; q += 4) {
            oneRowFour(q, k, a, a0, panels, beta, c, cOff + (q - q0) * NR);
        }
        for (; q < q1; q++) {
            FloatVector s0 = FloatVector.zero(S), t0 = s0;
            for (int p = 0, w = q * NR * k; p < k; p++, w += NR) {
                FloatVector x = FloatVector.broadcast(S, a[a0 + p]);
                s0 = FloatVector.fromArray(S, panels, w).fma(x, s0);
                t0 = FloatVector.fromArray(S, panels, w + V).fma(x, t0);
            }
            int r = cOff + (q - q0) * NR;
            if (beta != 0) {
                FloatVector b = FloatVector.broadcast(S, beta);
                s0 = FloatVector.fromArray(S, c, r).fma(b, s0);
                t0 = FloatVector.fromArray(S, c, r + V).fma(b, t0);
            }
            s0.intoArray(c, r);
            t0.intoArray(c, r + V);
        }
    }

    /** Panels q..q+3 of {@link #oneRow}, written from {@code c[r]}: a method of its own, like {@link #eightRows}. */
    private static void oneRowFour(int q, int k, float[] a, int a0, float[] panels, float beta, float[] c, int r) {
        FloatVector s0 = FloatVector.zero(S), t0 = s0, s1 = s0, t1 = s0, s2 = s0, t2 = s0, s3 = s0, t3 = s0;
        int w0 = q * NR * k;
        int w1 = w0 + NR * k;
        int w2 = w1 + NR * k;
        int w3 = w2 + NR * k;
        for (int p = 0, o = 0; p < k; p++, o += NR) {
            FloatVector x = FloatVector.broadcast(S, a[a0 + p]);
            s0 = FloatVector.fromArray(S, panels, w0 + o).fma(x, s0);
            t0 = FloatVector.fromArray(S, panels, w0 + o + V).fma(x, t0);
            s1 = FloatVector.fromArray(S, panels, w1 + o).fma(x, s1);
            t1 = FloatVector.fromArray(S, panels, w1 + o + V).fma(x, t1);
            s2 = FloatVector.fromArray(S, panels, w2 + o).fma(x, s2);
            t2 = FloatVector.fromArray(S, panels, w2 + o + V).fma(x, t2);
            s3 = FloatVector.fromArray(S, panels, w3 + o).fma(x, s3);
            t3 = FloatVector.fromArray(S, panels, w3 + o + V).fma(x, t3);
        }
        if (beta != 0) {
            FloatVector b = FloatVector.broadcast(S, beta);
            s0 = FloatVector.fromArray(S, c, r).fma(b, s0);
            t0 = FloatVector.fromArray(S, c, r + V).fma(b, t0);
            s1 = FloatVector.fromArray(S, c, r + NR).fma(b, s1);
            t1 = FloatVector.fromArray(S, c, r + NR + V).fma(b, t1);
            s2 = FloatVector.fromArray(S, c, r + 2 * NR).fma(b, s2);
            t2 = FloatVector.fromArray(S, c, r + 2 * NR + V).fma(b, t2);
            s3 = FloatVector.fromArray(S, c, r + 3 * NR).fma(b, s3);
            t3 = FloatVector.fromArray(S, c, r + 3 * NR + V).fma(b, t3);
        }
        s0.intoArray(c, r);
        t0.intoArray(c, r + V);
        s1.intoArray(c, r + NR);
        t1.intoArray(c, r + NR + V);
        s2.intoArray(c, r + 2 * NR);
        t2.intoArray(c, r + 2 * NR + V);
        s3.intoArray(c, r + 3 * NR);
        t3.intoArray(c, r + 3 * NR + V);
    }

    /** Columns per matrix-vector block: four vectors (and the unit of the thread split). */
    private static final int GEMV_COLUMNS = 4 * V;

    /** {@link #gemv} for columns [j0, j1) with contiguous x and y. */
    private static void gemvColumns(int j0, int j1, int k, float alpha, float[] x, int xo,
                                    float[] mat, int mo, int mRs, int mCs, float beta, float[] y, int yo,
                                    float[] sums) {
        if (mCs == 1) {
            gemvRows(j0, j1, k, alpha, x, xo, mat, mo, mRs, beta, y, yo, sums);
        } else if (mRs == 1) {
            gemvDots(j0, j1, k, alpha, x, xo, mat, mo, mCs, beta, y, yo);
        } else {
            for (int j = j0; j < j1; j++) {
                float s = 0f;
                for (int p = 0; p < k; p++) {
                    s = Math.fma(x[xo + p], mat[mo + p * mRs + j * mCs], s);
                }
                y[yo + j] = update(s, y[yo + j], alpha, beta, true);
            }
        }
    }

    /**
     * y[j] for j in [j0, j1) when rows of M are contiguous (M(p, j) at {@code mat[mo + p*mRs + j]}):
     * M is read row after row, four rows at a time, each adding into a row of sums
     * ({@code sums[j0:j1]}, in L1 or L2) with one fused multiply-add per element and p in order,
     * the same in the vector body and the scalar tail. Rows streamed whole keep the hardware
     * prefetchers ahead, which matters since this product is bound by memory.
     */
    private static void gemvRows(int j0, int j1, int k, float alpha, float[] x, int xo,
                                 float[] mat, int mo, int mRs, float beta, float[] y, int yo, float[] sums) {
        int jv = j0 + S.loopBound(j1 - j0);
        for (int j = j0; j < j1; j++) {
            sums[j] = 0f;
        }
        int p = 0;
        for (; p + 4 <= k; p += 4) {
            float x0 = x[xo + p], x1 = x[xo + p + 1], x2 = x[xo + p + 2], x3 = x[xo + p + 3];
            FloatVector v0 = FloatVector.broadcast(S, x0), v1 = FloatVector.broadcast(S, x1);
            FloatVector v2 = FloatVector.broadcast(S, x2), v3 = FloatVector.broadcast(S, x3);
            int r0 = mo + p * mRs, r1 = r0 + mRs, r2 = r1 + mRs, r3 = r2 + mRs;
            int j = j0;
            for (; j < jv; j += V) {
                FloatVector s = FloatVector.fromArray(S, sums, j);
                s = FloatVector.fromArray(S, mat, r0 + j).fma(v0, s);
                s = FloatVector.fromArray(S, mat, r1 + j).fma(v1, s);
                s = FloatVector.fromArray(S, mat, r2 + j).fma(v2, s);
                s = FloatVector.fromArray(S, mat, r3 + j).fma(v3, s);
                s.intoArray(sums, j);
            }
            for (; j < j1; j++) {
                float s = sums[j];
                s = Math.fma(mat[r0 + j], x0, s);
                s = Math.fma(mat[r1 + j], x1, s);
                s = Math.fma(mat[r2 + j], x2, s);
                s = Math.fma(mat[r3 + j], x3, s);
                sums[j] = s;
            }
        }
        for (; p < k; p++) {
            float x0 = x[xo + p];
            FloatVector v0 = FloatVector.broadcast(S, x0);
            int r0 = mo + p * mRs;
            int j = j0;
            for (; j < jv; j += V) {
                FloatVector.fromArray(S, mat, r0 + j).fma(v0, FloatVector.fromArray(S, sums, j)).intoArray(sums, j);
            }
            for (; j < j1; j++) {
                sums[j] = Math.fma(mat[r0 + j], x0, sums[j]);
            }
        }
        int j = j0;
        for (; j < jv; j += V) {
            storeVector(FloatVector.fromArray(S, sums, j), y, yo + j, alpha, beta);
        }
        for (; j < j1; j++) {
            y[yo + j] = update(sums[j], y[yo + j], alpha, beta, true);
        }
    }

    private static void storeVector(FloatVector s, float[] y, int yi, float alpha, float beta) {
        if (beta == 0) {
            s.mul(alpha).intoArray(y, yi);
        } else {
            FloatVector.fromArray(S, y, yi).fma(FloatVector.broadcast(S, beta), s.mul(alpha)).intoArray(y, yi);
        }
    }

    /**
     * y[j] for j in [j0, j1) when columns of M are contiguous (M(p, j) at {@code mat[mo + j*mCs + p]}):
     * a dot product of x with each column, four columns at a time sharing the loads of x. Each
     * column's sum has the same order (lane partial sums, lanes added, then the tail) in a group or
     * alone.
     */
    private static void gemvDots(int j0, int j1, int k, float alpha, float[] x, int xo,
                                 float[] mat, int mo, int mCs, float beta, float[] y, int yo) {
        int kv = S.loopBound(k);
        int j = j0;
        for (; j + 4 <= j1; j += 4) {
            int m0 = mo + j * mCs, m1 = m0 + mCs, m2 = m1 + mCs, m3 = m2 + mCs;
            FloatVector s0 = FloatVector.zero(S), s1 = s0, s2 = s0, s3 = s0;
            for (int p = 0; p < kv; p += V) {
                FloatVector xv = FloatVector.fromArray(S, x, xo + p);
                s0 = FloatVector.fromArray(S, mat, m0 + p).fma(xv, s0);
                s1 = FloatVector.fromArray(S, mat, m1 + p).fma(xv, s1);
                s2 = FloatVector.fromArray(S, mat, m2 + p).fma(xv, s2);
                s3 = FloatVector.fromArray(S, mat, m3 + p).fma(xv, s3);
            }
            y[yo + j] = update(dotTail(s0, kv, k, x, xo, mat, m0), y[yo + j], alpha, beta, true);
            y[yo + j + 1] = update(dotTail(s1, kv, k, x, xo, mat, m1), y[yo + j + 1], alpha, beta, true);
            y[yo + j + 2] = update(dotTail(s2, kv, k, x, xo, mat, m2), y[yo + j + 2], alpha, beta, true);
            y[yo + j + 3] = update(dotTail(s3, kv, k, x, xo, mat, m3), y[yo + j + 3], alpha, beta, true);
        }
        for (; j < j1; j++) {
            int m0 = mo + j * mCs;
            FloatVector s0 = FloatVector.zero(S);
            for (int p = 0; p < kv; p += V) {
                s0 = FloatVector.fromArray(S, mat, m0 + p).fma(FloatVector.fromArray(S, x, xo + p), s0);
            }
            y[yo + j] = update(dotTail(s0, kv, k, x, xo, mat, m0), y[yo + j], alpha, beta, true);
        }
    }

    /** Adds the lanes of s in a fixed order ({@link #sumLanes}), then the products for p in [kv, k). */
    private static float dotTail(FloatVector s, int kv, int k, float[] x, int xo, float[] mat, int mi) {
        float sum = sumLanes(s);
        for (int p = kv; p < k; p++) {
            sum = Math.fma(x[xo + p], mat[mi + p], sum);
        }
        return sum;
    }

    /**
     * The shuffle that folds lanes h apart: lane i takes lane i + h (mod V); null where h is not
     * below V. {@link #sumLanes} folds with h = V/2, then V/4, and so on down to 1.
     */
    private static VectorShuffle<Float> fold(int h) {
        return h < V ? VectorShuffle.fromOp(S, i -> (i + h) % V) : null;
    }

    private static final VectorShuffle<Float> FOLD8 = fold(8);
    private static final VectorShuffle<Float> FOLD4 = fold(4);
    private static final VectorShuffle<Float> FOLD2 = fold(2);
    private static final VectorShuffle<Float> FOLD1 = fold(1);

    /**
     * The sum of the lanes, folding halves together so that every addition is fixed. Not
     * {@code reduceLanes(ADD)}: its order is left open, and the interpreter and compiled code
     * differ, so the same call could give different bits before and after the JIT. Written out
     * fold by fold (for vectors of up to 16 lanes) with each shuffle a constant: a loop over a
     * list of shuffles is not unrolled into constants, and cost a decode step's attention dearly.
     */
    static float sumLanes(FloatVector s) {
        if (V > 16) {
            throw new IllegalStateException("sumLanes is written out for vectors of up to 16 lanes, not " + V);
        }
        if (V > 8) {
            s = s.add(s.rearrange(FOLD8));
        }
        if (V > 4) {
            s = s.add(s.rearrange(FOLD4));
        }
        if (V > 2) {
            s = s.add(s.rearrange(FOLD2));
        }
        if (V > 1) {
            s = s.add(s.rearrange(FOLD1));
        }
        return s.lane(0);
    }

    // ------------------------------------------------------------------ small helpers

    /** C = beta * C (C = 0 when beta is 0, without reading it): the product when k is 0. */
    private static void scaleC(int m, int n, float beta, float[] c, int cOff, int ldc) {
        for (int i = 0; i < m; i++) {
            int row = cOff + i * ldc;
            for (int j = 0; j < n; j++) {
                c[row + j] = beta == 0 ? 0f : beta * c[row + j];
            }
        }
    }

    private static int ceilDiv(int x, int y) {
        return (x + y - 1) / y;
    }

    private static long ceilDiv(long x, long y) {
        return (x + y - 1) / y;
    }

    private static int roundUp(int x, int multiple) {
        return ceilDiv(x, multiple) * multiple;
    }

    // ------------------------------------------------------------------ reference

    /** The plain triple loop, accumulating in double; tests compare the fast path against it. */
    public static void sgemmReference(int m, int n, int k, float alpha,
                                      float[] a, int aOff, int aRs, int aCs,
                                      float[] b, int bOff, int bRs, int bCs,
                                      float beta, float[] c, int cOff, int ldc) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) {
                    s += (double) a[aOff + i * aRs + p * aCs] * b[bOff + p * bRs + j * bCs];
                }
                int ci = cOff + i * ldc + j;
                c[ci] = (float) (alpha * s + (beta == 0 ? 0 : beta * c[ci]));
            }
        }
    }
}
