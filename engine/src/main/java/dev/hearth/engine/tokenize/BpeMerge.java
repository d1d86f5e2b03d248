package dev.hearth.engine.tokenize;

/** One BPE merge: two token strings joined, written {@code "Ġ t"} or {@code ["Ġ", "t"]} in {@code tokenizer.json}. */
public record BpeMerge(String left, String right) {
    @Override
    public String toString() {
        return left + " " + right;
    }
}
