package org.wormhole.relay.queue;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;

/**
 * A buffered output stream whose buffer starts small and doubles each time it fills, up to a
 * maximum: a 10 KB message costs a 16 KB buffer, not the 64 KB a 1 GB one writes in (most mail
 * is small, and each received message has a writer of its own). Not thread-safe.
 */
final class GrowingBufferedOutputStream extends OutputStream {

    private final OutputStream out;
    private final int max;
    private byte[] buf;
    private int count;

    GrowingBufferedOutputStream(OutputStream out, int initial, int max) {
        if (initial <= 0 || max < initial) {
            throw new IllegalArgumentException("buffer sizes: initial " + initial + ", max " + max);
        }
        this.out = out;
        this.max = max;
        this.buf = new byte[initial];
    }

    @Override
    public void write(int b) throws IOException {
        if (count == buf.length) {
            makeRoom();
        }
        buf[count++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        while (len > 0) {
            if (count == buf.length) {
                makeRoom();
            }
            if (count == 0 && len >= buf.length && buf.length == max) {
                out.write(b, off, len); // as large as the largest buffer: no copy
                return;
            }
            int n = Math.min(len, buf.length - count);
            System.arraycopy(b, off, buf, count, n);
            count += n;
            off += n;
            len -= n;
        }
    }

    /** A full buffer grows (while below the maximum) or goes out. */
    private void makeRoom() throws IOException {
        if (buf.length < max) {
            buf = Arrays.copyOf(buf, Math.min(max, buf.length * 2));
        } else {
            drain();
        }
    }

    private void drain() throws IOException {
        if (count > 0) {
            out.write(buf, 0, count);
            count = 0;
        }
    }

    @Override
    public void flush() throws IOException {
        drain();
        out.flush();
    }

    @Override
    public void close() throws IOException {
        try {
            flush();
        } finally {
            out.close();
        }
    }
}
