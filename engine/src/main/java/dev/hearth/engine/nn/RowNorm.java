package dev.hearth.engine.nn;

/** A normalisation that also runs on raw rows, as a decode step on reused buffers calls it. */
interface RowNorm {
    /** {@code forward} of x's rows (rows, dim) from {@code xo} into y's from {@code yo}, with the same bits. */
    void forwardRows(int rows, float[] x, int xo, float[] y, int yo);
}
