package org.wormhole.relay.smtpd;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Reads the content of an SMTP DATA command from the client, strictly: only {@code CRLF . CRLF}
 * ends it, a bare CR or LF anywhere is a defect (the SMTP smuggling defence, CVE-2023-51764
 * class), lines longer than 1000 octets are a defect, and content beyond the size limit is a
 * defect. Whatever the defect, the reader always consumes the input up to the terminator, so
 * nothing the client sent as content is ever read as a command.
 *
 * <p>Good content is written, dot-unstuffed, to the sink as it arrives; once a defect is found
 * nothing more is written and the caller must discard what was. Not thread-safe.
 */
final class DataReader {

    /** RFC 5321 4.5.3.1.6: a text line is at most 1000 octets including CRLF. */
    static final int MAX_LINE = 1000;

    /** Why content was refused, with the reply the client gets. */
    enum Defect {
        BARE_NEWLINE("550 5.6.0 Message content rejected: bare CR or LF (lines must end in CRLF)"),
        LINE_TOO_LONG("550 5.6.0 Message content rejected: line longer than 1000 octets"),
        TOO_BIG("552 5.3.4 Message size exceeds fixed limit");

        final String reply;

        Defect(String reply) {
            this.reply = reply;
        }
    }

    /** What the reader found. */
    record Result(long size, int receivedHeaders, boolean eightBit, Defect defect) {
    }

    private final InputStream in;
    private final long sizeLimit;

    DataReader(InputStream in, long sizeLimit) {
        this.in = in;
        this.sizeLimit = sizeLimit;
    }

    /**
     * Reads up to and including the terminating {@code CRLF . CRLF}.
     *
     * @throws EOFException the client closed the connection before the terminator
     */
    Result readTo(OutputStream sink) throws IOException {
        byte[] line = new byte[MAX_LINE + 2];
        int len = 0;               // octets of the current line kept in 'line'
        long lineOctets = 0;       // octets of the current line seen, including any beyond the buffer
        long size = 0;
        int received = 0;
        boolean inHeaders = true;
        boolean eightBit = false;
        Defect defect = null;
        int prev = -1;
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("connection closed in DATA");
            }
            boolean endOfLine = b == '\n' && prev == '\r';
            if ((b == '\n' && prev != '\r') || (prev == '\r' && b != '\n')) {
                defect = first(defect, Defect.BARE_NEWLINE);
            }
            if (++lineOctets > MAX_LINE) {
                defect = first(defect, Defect.LINE_TOO_LONG);
            }
            if (len < line.length) {
                line[len++] = (byte) b;
            }
            if (b >= 0x80) {
                eightBit = true;
            }
            prev = b;
            if (!endOfLine) {
                continue;
            }
            if (lineOctets == 3 && line[0] == '.') {
                return new Result(size, received, eightBit, defect);
            }
            int off = line[0] == '.' ? 1 : 0; // dot-unstuffing (RFC 5321 4.5.2)
            if (inHeaders) {
                if (lineOctets == 2) {
                    inHeaders = false;
                } else if (isReceivedHeader(line, off, len)) {
                    received++;
                }
            }
            size += lineOctets - off;
            if (size > sizeLimit) {
                defect = first(defect, Defect.TOO_BIG);
            }
            if (defect == null) {
                sink.write(line, off, len - off);
            }
            len = 0;
            lineOctets = 0;
        }
    }

    private static Defect first(Defect current, Defect found) {
        return current != null ? current : found;
    }

    private static boolean isReceivedHeader(byte[] line, int off, int len) {
        String name = "received:";
        if (len - off < name.length()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            if ((line[off + i] | 0x20) != name.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
