package dev.hearth.lab.data;

import java.util.function.LongConsumer;

/** Tells a listener how far one pass over the inputs has come, in bytes as stored. */
final class PassProgress implements LongConsumer {
    private final DatasetPreparation.Listener listener;
    private final DatasetPreparation.Phase phase;
    private final long total;
    private long done;

    PassProgress(DatasetPreparation.Listener listener, DatasetPreparation.Phase phase, long total) {
        this.listener = listener;
        this.phase = phase;
        this.total = total;
        listener.onPhase(phase, total);
    }

    @Override
    public void accept(long bytes) {
        done += bytes;
        listener.onProgress(phase, Math.min(done, total), total);
    }

    void done() {
        listener.onProgress(phase, total, total);
    }
}
