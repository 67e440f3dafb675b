package org.wormhole.relay.delivery.smtp;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Writes message content as the DATA phase needs it (RFC 5321 4.5.2): a line that starts with
 * {@code '.'} gets another {@code '.'}; every other byte passes unchanged. {@link #finish()} makes
 * sure the content ends with CRLF and writes the terminating {@code ".\r\n"}. A bare LF also
 * counts as a line end for stuffing, so that no receiver that accepts bare LF sees a premature
 * end of data. Does not close or flush the underlying stream. Not thread-safe.
 */
final class DotStuffingOutputStream extends OutputStream {

    private final OutputStream out;
    private boolean atLineStart = true;
    private int previous = -1;
    private int last = -1;
    private long count;

    DotStuffingOutputStream(OutputStream out) {
        this.out = out;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        int end = off + len;
        int start = off;
        for (int i = off; i < end; i++) {
            if (atLineStart && b[i] == '.') {
                out.write(b, start, i - start);
                out.write('.');
                start = i;
            }
            atLineStart = b[i] == '\n';
        }
        out.write(b, start, end - start);
        if (len == 1) {
            previous = last;
            last = b[off];
        } else if (len > 1) {
            previous = b[end - 2];
            last = b[end - 1];
        }
        count += len;
    }

    /** Ends the content: CRLF if it does not end with one (and is not empty), then {@code ".\r\n"}. */
    void finish() throws IOException {
        if (count > 0 && !(previous == '\r' && last == '\n')) {
            out.write(new byte[] {'\r', '\n'});
        }
        out.write(new byte[] {'.', '\r', '\n'});
    }
}
