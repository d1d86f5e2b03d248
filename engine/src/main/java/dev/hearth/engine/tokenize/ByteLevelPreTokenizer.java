package dev.hearth.engine.tokenize;

import java.util.List;

/**
 * Pre-tokenization of a byte-level BPE: the {@code Split} patterns in order (Llama 3, Qwen2),
 * then the {@code ByteLevel} step (a prefix space if asked, GPT-2's regex if asked). Each step
 * splits every piece of the step before, as Hugging Face's {@code Sequence} does.
 */
final class ByteLevelPreTokenizer {
    final List<SplitPattern> splits;
    final ByteLevelOptions options;

    ByteLevelPreTokenizer(List<SplitPattern> splits, ByteLevelOptions options) {
        this.splits = List.copyOf(splits);
        this.options = options;
    }

    /**
     * Splits {@code segment} into pieces: their (start, end) go to {@code bounds} (cleared first),
     * as offsets into the returned array, which is the segment's characters (with a space
     * inserted before pieces when {@code addPrefixSpace} asks for one).
     */
    char[] split(String segment, IntArrayBuilder bounds, IntArrayBuilder spare) {
        char[] buf = segment.toCharArray();
        bounds.clear();
        if (buf.length == 0) {
            return buf;
        }
        if (splits.isEmpty() && !options.addPrefixSpace()) {
            if (options.useRegex()) {
                SplitPattern.GPT2.split(buf, 0, buf.length, bounds);
            } else {
                bounds.add(0, buf.length);
            }
            return buf;
        }
        bounds.add(0, buf.length);
        for (SplitPattern p : splits) {
            resplit(p, buf, bounds, spare);
        }
        if (options.addPrefixSpace()) {
            buf = prefixSpaces(buf, bounds);
        }
        if (options.useRegex()) {
            resplit(SplitPattern.GPT2, buf, bounds, spare);
        }
        return buf;
    }

    private static void resplit(SplitPattern p, char[] buf, IntArrayBuilder bounds, IntArrayBuilder spare) {
        spare.clear();
        for (int k = 0; k < bounds.size(); k += 2) {
            p.split(buf, bounds.get(k), bounds.get(k + 1), spare);
        }
        bounds.clear();
        for (int k = 0; k < spare.size(); k++) {
            bounds.add(spare.get(k));
        }
    }

    /** Hugging Face prepends " " to each non-empty piece that does not start with a space. */
    private static char[] prefixSpaces(char[] buf, IntArrayBuilder bounds) {
        int added = 0;
        for (int k = 0; k < bounds.size(); k += 2) {
            if (buf[bounds.get(k)] != ' ') {
                added++;
            }
        }
        if (added == 0) {
            return buf;
        }
        char[] out = new char[buf.length + added];
        int shift = 0;
        int[] newBounds = new int[bounds.size()];
        for (int k = 0; k < bounds.size(); k += 2) {
            int s = bounds.get(k);
            int e = bounds.get(k + 1);
            int start = s + shift;
            if (buf[s] != ' ') {
                out[start] = ' ';
                shift++;
            }
            System.arraycopy(buf, s, out, s + shift, e - s);
            newBounds[k] = start;
            newBounds[k + 1] = e + shift;
        }
        bounds.clear();
        for (int v : newBounds) {
            bounds.add(v);
        }
        return out;
    }
}
