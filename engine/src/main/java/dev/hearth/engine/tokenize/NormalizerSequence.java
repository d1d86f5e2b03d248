package dev.hearth.engine.tokenize;

import java.util.List;

/** Several normalizers applied in order ({@code "type": "Sequence"}); empty means no normalization. */
public record NormalizerSequence(List<Normalizer> normalizers) implements Normalizer {
    static final NormalizerSequence EMPTY = new NormalizerSequence(List.of());

    public NormalizerSequence {
        normalizers = List.copyOf(normalizers);
    }

    @Override
    public String normalize(String text) {
        for (Normalizer n : normalizers) {
            text = n.normalize(text);
        }
        return text;
    }

    @Override
    public boolean isIdentity() {
        return normalizers.stream().allMatch(Normalizer::isIdentity);
    }
}
