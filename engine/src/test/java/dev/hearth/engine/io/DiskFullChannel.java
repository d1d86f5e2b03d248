package dev.hearth.engine.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;

/** Passes {@code limit} bytes to a channel, then fails as a full disk does. */
final class DiskFullChannel implements WritableByteChannel {
    private final WritableByteChannel inner;
    private final long limit;
    private long written;

    DiskFullChannel(WritableByteChannel inner, long limit) {
        this.inner = inner;
        this.limit = limit;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        if (written + src.remaining() > limit) {
            throw new IOException("No space left on device");
        }
        int n = inner.write(src);
        written += n;
        return n;
    }

    @Override
    public boolean isOpen() {
        return inner.isOpen();
    }

    @Override
    public void close() throws IOException {
        inner.close();
    }
}
