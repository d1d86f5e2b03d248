package dev.hearth.engine.nn;

/**
 * The working rows one decode step's blocks share in place of a fresh tensor per operation: each
 * slot grows to the largest size a block asks of it and is reused by the next block. Owned by one
 * step on one thread.
 */
public final class StepBuffers {
    static final int NORMED = 0;
    static final int QUERIES = 1;
    static final int KEYS = 2;
    static final int VALUES = 3;
    static final int ATTENDED = 4;
    static final int HIDDEN = 5;
    static final int UP = 6;
    static final int OUTPUT = 7;

    private final float[][] slots = new float[8][];

    /** The slot's array, at least {@code size} floats; its contents are whatever it last held. */
    float[] get(int slot, int size) {
        float[] b = slots[slot];
        if (b == null || b.length < size) {
            b = new float[size];
            slots[slot] = b;
        }
        return b;
    }
}
