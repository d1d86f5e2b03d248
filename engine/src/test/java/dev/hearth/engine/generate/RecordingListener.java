package dev.hearth.engine.generate;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Remembers every callback, per sequence. */
final class RecordingListener implements GenerationListener {
    final Map<Integer, List<String>> deltas = new HashMap<>();
    final Map<Integer, List<Integer>> ids = new HashMap<>();
    final Map<Integer, GenerationResult> finished = new HashMap<>();

    @Override
    public void onToken(int sequence, String textDelta) {
        deltas.computeIfAbsent(sequence, k -> new ArrayList<>()).add(textDelta);
    }

    @Override
    public void onTokenId(int sequence, int tokenId) {
        ids.computeIfAbsent(sequence, k -> new ArrayList<>()).add(tokenId);
    }

    @Override
    public void onFinish(int sequence, GenerationResult result) {
        finished.put(sequence, result);
    }

    String text(int sequence) {
        return String.join("", deltas.getOrDefault(sequence, List.of()));
    }

    List<String> deltas(int sequence) {
        return deltas.getOrDefault(sequence, List.of());
    }
}
