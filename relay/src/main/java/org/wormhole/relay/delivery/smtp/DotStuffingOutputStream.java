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
        stuffAndFold(b, off, end);
        if (len == 1) {
            previous = last;
            last = b[off];
        } else if (len > 1) {
            previous = b[end - 2];
            last = b[end - 1];
        }
        count += len;
    }

    /**
     * One pass over {@code b[off, end)}: runs of bytes that need nothing are found by a tight scan
     * for LF (bounded by the room left on the line when folding) and written at once.
     */
    private void stuffAndFold(byte[] b, int off, int end) throws IOException {
        final int limit = lineLengthLimit;
        int col = column;
        boolean lineStart = atLineStart;
        int start = off;  // first byte not yet written
        int i = off;
        while (i < end) {
            if (lineStart) {
                lineStart = false;
                if (b[i] == '.') {
                    out.write(b, start, i - start);
                    out.write('.');
                    start = i;
                }
            }
            int stop = limit == 0 ? end : Math.min(end, i + Math.max(0, limit - col));
            int j = i;
            while (j < stop && b[j] != '\n') {
                j++;
            }
            if (limit != 0) {
                col += j - i;
            }
            if (j == end) {
                break;
            }
            if (b[j] == '\n') {
                lineStart = true;
                col = 0;
                i = j + 1;
            } else if (b[j] == '\r') { // at the limit: never fold between the CR and LF of a line end
                col++;
                i = j + 1;
            } else {                   // at the limit and more text follows: fold before it
                out.write(b, start, j - start);
                out.write(FOLD, 0, FOLD.length);
                start = j;
                col = 1;
                i = j;
                // b[j] is counted by the next scan, which starts at it
            }
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
