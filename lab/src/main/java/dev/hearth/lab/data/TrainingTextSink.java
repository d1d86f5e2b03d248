package dev.hearth.lab.data;

import java.util.function.Consumer;

/**
 * The tokenizer-training pass: hands the train split's text to the trainer. In the document
 * split, the train documents; in the tail split, the first (1 - val fraction) of every
 * document's characters (the token split is not known before the tokenizer exists).
 */
final class TrainingTextSink implements DocumentSink {
    private final InputState state;
    private final Consumer<String> emit;
    private final SplitAssigner split;
    private long current = -1;
    private long charsLeft;

    TrainingTextSink(InputState state, Consumer<String> emit, SplitAssigner split) {
        this.state = state;
        this.emit = emit;
        this.split = split;
    }

    @Override
    public void text(long index, String text, int utf8Bytes, boolean last) {
        if (state.isSkipped(index)) {
            return;
        }
        if (split.mode() == SplitMode.DOCUMENT) {
            if (!state.isVal(index)) {
                emit.accept(text);
            }
            return;
        }
        if (index != current) {
            current = index;
            long length = last ? text.length() : state.chunkedChars.getOrDefault(index, (long) text.length());
            charsLeft = (long) Math.floor(length * (1.0 - split.valFraction()));
        }
        if (charsLeft > 0) {
            int take = (int) Math.min(charsLeft, text.length());
            if (take > 0 && take < text.length() && Character.isHighSurrogate(text.charAt(take - 1))) {
                take--;
            }
            charsLeft -= take;
            if (take > 0) {
                emit.accept(take == text.length() ? text : text.substring(0, take));
            }
        }
        if (last) {
            current = -1;
        }
    }

    @Override
    public void skip(long index, String location, SkipReason reason, String detail) {
        // recorded by the first pass
    }
}
