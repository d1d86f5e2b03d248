package dev.hearth.lab.data;

/**
 * Where a large document may be cut into pieces that are encoded separately, with exactly the
 * ids the whole text would get: between a letter (Unicode category L) and either a space
 * (U+0020) followed by a letter, or one of the punctuation marks {@code . , ! ? ; :} and their
 * full-width forms {@code 。 、 ， ！ ？ ； ：}.
 *
 * <p>Why this is safe: every pre-tokenizer Hearth reads (GPT-2's, Llama 3's and Qwen2's
 * regexes, BERT's whitespace-and-punctuation split, single characters) ends a piece there, none
 * of its regexes looks behind, and the only look-ahead ({@code \s+(?!\S)}) concerns whitespace
 * runs, which never end a piece here. Normalizers (NFC, lowercase, BERT's) change nothing across
 * a letter followed by a space or one of these marks. A byte-level tokenizer that adds a prefix
 * space to every text ({@code add_prefix_space}) adds none to a piece that starts with a space,
 * so for such a tokenizer only spaces are cut points ({@code spacesOnly}).
 */
final class ChunkBoundary {
    private ChunkBoundary() {}

    /**
     * The first index {@code p} in {@code [from, end)} such that {@code b[0, p)} may be cut from
     * the rest, or -1. {@code b[0, end)} is UTF-8 (invalid sequences are never cut points).
     */
    static int find(byte[] b, int from, int end, boolean spacesOnly) {
        for (int p = Math.max(1, from); p < end; p++) {
            int c = b[p] & 0xFF;
            if (spacesOnly ? c != ' ' : markAt(b, p, end) == 0) {
                continue;
            }
            if (c == ' ') {
                if (p + 1 >= end || !isLetterAt(b, p + 1, end)) {
                    continue;
                }
            }
            if (letterEndingAt(b, p)) {
                return p;
            }
        }
        return -1;
    }

    /** The length of the space or punctuation mark at {@code b[p]} that may begin a piece, or 0. */
    private static int markAt(byte[] b, int p, int end) {
        int c = b[p] & 0xFF;
        switch (c) {
            case ' ', '.', ',', '!', '?', ';', ':' -> {
                return 1;
            }
            case 0xE3 -> { // 。 E3 80 82, 、 E3 80 81
                if (p + 2 < end && (b[p + 1] & 0xFF) == 0x80 && ((b[p + 2] & 0xFF) == 0x82 || (b[p + 2] & 0xFF) == 0x81)) {
                    return 3;
                }
                return 0;
            }
            case 0xEF -> { // ， EF BC 8C, ！ EF BC 81, ？ EF BC 9F, ； EF BC 9B, ： EF BC 9A
                if (p + 2 < end && (b[p + 1] & 0xFF) == 0xBC) {
                    int d = b[p + 2] & 0xFF;
                    if (d == 0x8C || d == 0x81 || d == 0x9F || d == 0x9B || d == 0x9A) {
                        return 3;
                    }
                }
                return 0;
            }
            default -> {
                return 0;
            }
        }
    }

    private static boolean isLetterAt(byte[] b, int i, int end) {
        int cp = Utf8.codePointAt(b, i, end);
        return cp >= 0 && Character.isLetter(cp);
    }

    /** Whether the bytes just before {@code p} are a whole UTF-8 letter. */
    private static boolean letterEndingAt(byte[] b, int p) {
        int s = p - 1;
        while (s > 0 && s > p - 4 && (b[s] & 0xC0) == 0x80) {
            s--;
        }
        int cp = Utf8.codePointAt(b, s, p);
        if (cp < 0) {
            return false;
        }
        int length = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
        return s + length == p && Character.isLetter(cp);
    }
}
