package dev.hearth.lab.data;

import java.util.ArrayList;
import java.util.List;

/** Keeps what a preparation reports. */
final class RecordingListener implements DatasetPreparation.Listener {
    final List<String> warnings = new ArrayList<>();
    final List<DatasetPreparation.Phase> phases = new ArrayList<>();
    long lastProgress = -1;

    @Override
    public void onPhase(DatasetPreparation.Phase phase, long totalBytes) {
        phases.add(phase);
    }

    @Override
    public synchronized void onProgress(DatasetPreparation.Phase phase, long bytesDone, long totalBytes) {
        lastProgress = bytesDone;
    }

    @Override
    public void onWarning(String message) {
        warnings.add(message);
    }
}
