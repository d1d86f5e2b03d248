package dev.hearth.lab.data;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The encoding pass, reading side: sends the documents of one input to the encoder, in order,
 * with the split the first pass gave them.
 */
final class EncodingFeed implements DocumentSink {
    private final int input;
    private final InputState state;
    private final OrderedEncoder encoder;

    EncodingFeed(int input, InputState state, OrderedEncoder encoder) {
        this.input = input;
        this.state = state;
        this.encoder = encoder;
    }

    @Override
    public void text(long index, String text, int utf8Bytes, boolean last) {
        if (state.isSkipped(index)) {
            return;
        }
        try {
            encoder.add(new OrderedEncoder.Piece(input, index, last, state.isVal(index), text, utf8Bytes));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void skip(long index, String location, SkipReason reason, String detail) {
        // recorded by the first pass
    }
}
