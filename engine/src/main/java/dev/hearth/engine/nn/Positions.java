package dev.hearth.engine.nn;

import dev.hearth.engine.HearthException;

/** Token positions for a batch whose sequences may start with padding. */
public final class Positions {
    private Positions() {}

    /**
     * Positions of time steps {@code start..start+time-1} of each of {@code batch} sequences, one
     * per token (batch-major): step s of sequence b is at {@code s - padding[b]} (0 for padding
     * steps). Without padding, the {@code time} positions shared by every sequence.
     */
    public static int[] of(int batch, int time, int start, int[] padding) {
        if (padding == null) {
            int[] p = new int[time];
            for (int t = 0; t < time; t++) {
                p[t] = start + t;
            }
            return p;
        }
        if (padding.length != batch) {
            throw new HearthException("padding has " + padding.length + " entries for a batch of " + batch);
        }
        int[] p = new int[batch * time];
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < time; t++) {
                p[b * time + t] = Math.max(0, start + t - padding[b]);
            }
        }
        return p;
    }
}
