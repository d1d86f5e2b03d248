package dev.hearth.lab.data;

import java.io.InputStream;

/** Gives its bytes one at a time, to test readers across every buffer boundary. */
final class TrickleInputStream extends InputStream {
    private final byte[] bytes;
    private int next;

    TrickleInputStream(byte[] bytes) {
        this.bytes = bytes;
    }

    @Override
    public int read() {
        return next < bytes.length ? bytes[next++] & 0xFF : -1;
    }

    @Override
    public int read(byte[] into, int off, int len) {
        if (len == 0) {
            return 0;
        }
        if (next >= bytes.length) {
            return -1;
        }
        into[off] = bytes[next++];
        return 1;
    }
}
