package dev.hearth.engine.tensor;

/**
 * Walks the rows (the last dimension) of a shape in row-major order, keeping the start offset of
 * the current row in each of several strided operands. Kernels use it to visit broadcast or
 * transposed tensors row by row and run a tight loop inside each row.
 */
public final class RowCursor {
    private final int[] dims;
    private final int[][] strides;
    private final int[] base;
    private final int[] index;
    private final int[] offsets;

    /**
     * @param leadingDims the dimensions before the last one
     * @param strides     per operand, its strides over {@code leadingDims}
     * @param baseOffsets per operand, the offset of element (0, 0, ..., 0)
     */
    public RowCursor(int[] leadingDims, int[][] strides, int[] baseOffsets) {
        this.dims = leadingDims;
        this.strides = strides;
        this.base = baseOffsets;
        this.index = new int[leadingDims.length];
        this.offsets = baseOffsets.clone();
    }

    /** Positions the cursor at row {@code row} (row-major over the leading dimensions). */
    public void seek(int row) {
        int r = row;
        for (int d = dims.length - 1; d >= 0; d--) {
            index[d] = dims[d] == 0 ? 0 : r % dims[d];
            r = dims[d] == 0 ? 0 : r / dims[d];
        }
        for (int k = 0; k < offsets.length; k++) {
            int o = base[k];
            for (int d = 0; d < dims.length; d++) {
                o += index[d] * strides[k][d];
            }
            offsets[k] = o;
        }
    }

    /** Start offset of the current row in operand {@code k}. */
    public int offset(int k) {
        return offsets[k];
    }

    /** Moves to the next row. */
    public void next() {
        for (int d = dims.length - 1; d >= 0; d--) {
            index[d]++;
            for (int k = 0; k < offsets.length; k++) {
                offsets[k] += strides[k][d];
            }
            if (index[d] < dims[d]) {
                return;
            }
            for (int k = 0; k < offsets.length; k++) {
                offsets[k] -= strides[k][d] * dims[d];
            }
            index[d] = 0;
        }
    }
}
