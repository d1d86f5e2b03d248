package dev.hearth.engine.tensor;

import dev.hearth.engine.kernels.ComputePool;

/** Gathers a strided tensor into a row-major array. */
public final class StridedCopy {
    private StridedCopy() {}

    /** Writes the elements of {@code src} in row-major order into {@code dst} from {@code dstOff}. */
    public static void copy(Tensor src, float[] dst, int dstOff) {
        Shape shape = src.shape();
        int rank = shape.rank();
        if (rank == 0) {
            dst[dstOff] = src.data()[src.offset()];
            return;
        }
        int n = shape.numel();
        if (n == 0) {
            return;
        }
        int cols = shape.dim(rank - 1);
        int rows = n / cols;
        int colStride = src.stride(rank - 1);
        int[] lead = new int[rank - 1];
        int[] leadStrides = new int[rank - 1];
        for (int d = 0; d < rank - 1; d++) {
            lead[d] = shape.dim(d);
            leadStrides[d] = src.stride(d);
        }
        float[] s = src.data();
        ComputePool.shared().parallelFor(rows, Math.max(1, 32768 / cols), (r0, r1) -> {
            RowCursor cur = new RowCursor(lead, new int[][] {leadStrides}, new int[] {src.offset()});
            cur.seek(r0);
            for (int r = r0; r < r1; r++, cur.next()) {
                int so = cur.offset(0);
                int d = dstOff + r * cols;
                if (colStride == 1) {
                    System.arraycopy(s, so, dst, d, cols);
                } else {
                    for (int c = 0; c < cols; c++) {
                        dst[d + c] = s[so + c * colStride];
                    }
                }
            }
        });
    }

    /** Copies {@code src} into the same-shaped, possibly strided view {@code dst}, element by element. */
    public static void copyInto(Tensor src, Tensor dst) {
        Shape shape = src.shape();
        int rank = shape.rank();
        if (shape.numel() == 0) {
            return;
        }
        if (rank == 0) {
            dst.data()[dst.offset()] = src.data()[src.offset()];
            return;
        }
        int cols = shape.dim(rank - 1);
        int rows = shape.numel() / cols;
        int[] lead = new int[rank - 1];
        int[][] leadStrides = new int[2][rank - 1];
        for (int d = 0; d < rank - 1; d++) {
            lead[d] = shape.dim(d);
            leadStrides[0][d] = src.stride(d);
            leadStrides[1][d] = dst.stride(d);
        }
        int cs = src.stride(rank - 1);
        int cd = dst.stride(rank - 1);
        float[] s = src.data();
        float[] d = dst.data();
        RowCursor cur = new RowCursor(lead, leadStrides, new int[] {src.offset(), dst.offset()});
        cur.seek(0);
        for (int r = 0; r < rows; r++, cur.next()) {
            int so = cur.offset(0);
            int dOff = cur.offset(1);
            if (cs == 1 && cd == 1) {
                System.arraycopy(s, so, d, dOff, cols);
            } else {
                for (int c = 0; c < cols; c++) {
                    d[dOff + c * cd] = s[so + c * cs];
                }
            }
        }
    }
}
