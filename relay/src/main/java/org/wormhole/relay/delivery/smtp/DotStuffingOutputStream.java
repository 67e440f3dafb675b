package org.wormhole.relay.delivery.smtp;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Writes message content as the DATA phase needs it (RFC 5321 4.5.2): a line that starts with
 * {@code '.'} gets another {@code '.'}; every other byte passes unchanged. {@link #finish()} makes
 * sure the content ends with CRLF and writes the terminating {@code ".\r\n"}. A bare LF also
 * counts as a line end for stuffing, so that no receiver that accepts bare LF sees a premature
 * end of data.
 *
 * <p>With a line length limit (Postfix's {@code smtp_line_length_limit}), a line longer than the
 * limit, not counting its CRLF, is folded: {@code CRLF SP} is inserted after {@code limit} octets,
 * and again after each further {@code limit - 1} octets (the space counts), so no line on the wire
 * is longer than the limit, as Postfix's smtp client does. The stuffed dot is not counted, as in
 * Postfix. A line of exactly {@code limit} octets is not touched. Limit 0: no folding.
 *
 * <p>Works on the caller's arrays, writing runs of unchanged bytes at once. Does not close or
 * flush the underlying stream. Not thread-safe.
 */
final class DotStuffingOutputStream extends OutputStream {

    private static final byte[] FOLD = {'\r', '\n', ' '};

    private final OutputStream out;
    private final int lineLengthLimit;
    private boolean atLineStart = true;
    private int column;              // octets of the current line written, the stuffed dot not counted
    private int previous = -1;
    private int last = -1;
    private long count;

    /** Without folding. */
    DotStuffingOutputStream(OutputStream out) {
        this(out, 0);
    }

    /** @param lineLengthLimit fold lines longer than this many octets; 0: never */
    DotStuffingOutputStream(OutputStream out, int lineLengthLimit) {
        if (lineLengthLimit < 0 || lineLengthLimit == 1) {
            throw new IllegalArgumentException("line length limit must be 0 or at least 2: " + lineLengthLimit);
        }
        this.out = out;
        this.lineLengthLimit = lineLengthLimit;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        int end = off + len;
        if (lineLengthLimit == 0) {
            stuff(b, off, end);
        } else {
            stuffAndFold(b, off, end);
        }
        if (len == 1) {
            previous = last;
            last = b[off];
        } else if (len > 1) {
            previous = b[end - 2];
            last = b[end - 1];
        }
        count += len;
    }

    private void stuff(byte[] b, int off, int end) throws IOException {
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
    }

    private void stuffAndFold(byte[] b, int off, int end) throws IOException {
        int limit = lineLengthLimit;
        int col = column;
        boolean lineStart = atLineStart;
        int start = off;
        for (int i = off; i < end; i++) {
            byte c = b[i];
            if (c == '\n') {
                lineStart = true;
                col = 0;
                continue;
            }
            if (lineStart) {
                lineStart = false;
                if (c == '.') {
                    out.write(b, start, i - start);
                    out.write('.');
                    start = i;
                }
            } else if (col >= limit && c != '\r') { // never between the CR and LF of a line end
                out.write(b, start, i - start);
                out.write(FOLD, 0, FOLD.length);
                start = i;
                col = 1;
            }
            col++;
        }
        out.write(b, start, end - start);
        column = col;
        atLineStart = lineStart;
    }

    /** Ends the content: CRLF if it does not end with one (and is not empty), then {@code ".\r\n"}. */
    void finish() throws IOException {
        if (count > 0 && !(previous == '\r' && last == '\n')) {
            out.write(new byte[] {'\r', '\n'});
        }
        out.write(new byte[] {'.', '\r', '\n'});
    }
}
