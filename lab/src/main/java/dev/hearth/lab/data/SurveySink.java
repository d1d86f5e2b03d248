package dev.hearth.lab.data;

import java.util.BitSet;

/** The first pass: counts documents, records skips, collects characters, counts the val documents. */
final class SurveySink implements DocumentSink {
    private final InputState state;
    private final SkipLog skips;
    private final BitSet characters;
    private final SplitAssigner split;
    private long current = -1;
    private long chars;
    private int pieces;

    /** {@code characters} collects every code point when not null. */
    SurveySink(InputState state, SkipLog skips, BitSet characters, SplitAssigner split) {
        this.state = state;
        this.skips = skips;
        this.characters = characters;
        this.split = split;
    }

    @Override
    public void text(long index, String text, int utf8Bytes, boolean last) {
        if (index != current) {
            current = index;
            chars = 0;
            pieces = 0;
        }
        chars += text.length();
        pieces++;
        if (characters != null) {
            text.codePoints().forEach(characters::set);
        }
        if (last) {
            state.documents++;
            if (pieces > 1) {
                state.chunkedChars.put(index, chars);
            }
            if (split.isValidation(state.file.key(), index)) {
                state.markVal(index);
            }
            current = -1;
        }
    }

    @Override
    public void skip(long index, String location, SkipReason reason, String detail) {
        skips.add(state.file.display(), location, reason, detail);
        state.skipped++;
        if (index >= 0) {
            state.markSkipped(index);
            if (index == current) {
                current = -1;
            }
        }
    }
}
