package dev.hearth.engine.tokenize;

import java.text.Normalizer.Form;
import java.util.Objects;

/** Unicode normalization: {@code NFC}, {@code NFD}, {@code NFKC} or {@code NFKD} (Qwen2 uses NFC). */
public record UnicodeNormalizer(Form form) implements Normalizer {
    public UnicodeNormalizer {
        Objects.requireNonNull(form, "form");
    }

    @Override
    public String normalize(String text) {
        return java.text.Normalizer.normalize(text, form);
    }
}
