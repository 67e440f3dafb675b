package org.wormhole.relay.smtpd;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Reads the content of an SMTP DATA command from the client, strictly: only {@code CRLF . CRLF}
 * ends it, a bare CR or LF anywhere is a defect (the SMTP smuggling defence, CVE-2023-51764
 * class), so is a NUL byte unless {@link ContentChecks#forbidNul()} is off (a next hop that drops
 * NULs would otherwise see {@code CRLF NUL . CRLF} as the end of data), a line longer than
 * {@link ContentChecks#lineLengthLimit()} octets (not counting its CRLF), and content beyond the
 * size limit. Whatever the defect, the reader always consumes the input up to the terminator, so
 * nothing the client sent as content is ever read as a command.
 *
 * <p>Good content is written, dot-unstuffed and otherwise byte for byte, to the sink as it
 * arrives, in pieces of at most {@value #PIECE} octets: a long line is never held whole. Once a
 * defect is found nothing more is written and the caller must discard what was.
 *
 * <p>From a stream that supports mark (SubEthaSMTP's buffered session input) the reader takes
 * what has arrived in bulk and gives back what follows the terminator, so commands pipelined
 * after the dot stay in the stream for the command reader; from any other stream it reads one
 * octet at a time. Not thread-safe.
 */
final class DataReader {

    /** Octets passed to the sink at once, at most; also how much of a line is held. */
    static final int PIECE = 8192;

    private static final byte[] RECEIVED = "received:".getBytes(StandardCharsets.US_ASCII);

    /** Why content was refused, with the reply the client gets. */
    enum Defect {
        BARE_NEWLINE("550 5.6.0 Message content rejected: bare CR or LF (lines must end in CRLF)"),
        NUL("550 5.6.0 Message content rejected: NUL character in content"),
        LINE_TOO_LONG("550 5.6.0 Message content rejected: line longer than %d octets"),
        TOO_BIG("552 5.3.4 Message size exceeds fixed limit");

        private final String reply;

        Defect(String reply) {
            this.reply = reply;
        }

        /** The reply to the client; {@code checks} gives the line length limit it names. */
        String reply(ContentChecks checks) {
            return this == LINE_TOO_LONG ? String.format(reply, checks.lineLengthLimit()) : reply;
        }
    }

    /** What the reader found. */
    record Result(long size, int receivedHeaders, boolean eightBit, Defect defect) {
    }

    private final InputStream in;
    private final long sizeLimit;
    private final ContentChecks checks;
    /** Octets read ahead from {@code in} (under a mark, so what follows the terminator can be given back). */
    private final byte[] ahead;
    private int aheadPos;
    private int aheadLen;

    DataReader(InputStream in, long sizeLimit, ContentChecks checks) {
        this.in = in;
        this.sizeLimit = sizeLimit;
        this.checks = checks;
        this.ahead = in.markSupported() ? new byte[PIECE] : null;
    }

    /**
     * Reads up to and including the terminating {@code CRLF . CRLF}.
     *
     * @throws EOFException the client closed the connection before the terminator
     */
    Result readTo(OutputStream sink) throws IOException {
        final long lineLimit = checks.lineLengthLimit();
        final boolean forbidNul = checks.forbidNul();
        byte[] piece = new byte[PIECE];
        int len = 0;                 // octets of the current line in 'piece', not yet written
        long lineOctets = 0;         // octets of the current line read, a stuffed dot, CR and LF included
        long textOctets = 0;         // of those, the octets that are neither CR nor LF
        boolean dotted = false;      // the line began with a '.' that is not content (RFC 5321 4.5.2)
        boolean headChecked = false; // whether the line's start was looked at for "Received:"
        long size = 0;
        int received = 0;
        boolean inHeaders = true;
        boolean eightBit = false;
        Defect defect = null;
        int prev = -1;
        while (true) {
            if (aheadPos < aheadLen && lineOctets > 0 && prev != '\r' && (headChecked || !inHeaders)) {
                // Fast path inside a line: a run of octets that need no decision (no CR, LF or
                // refused NUL, within the line, size and piece room) is copied at once.
                int bound = Math.min(aheadLen - aheadPos, piece.length - len);
                if (defect == null) { // after a defect only the terminator matters
                    bound = (int) Math.min(bound, Math.min(lineLimit - textOctets, sizeLimit - size));
                }
                int from = aheadPos;
                int j = from;
                int stop = from + Math.max(0, bound);
                byte high = 0;
                while (j < stop) {
                    byte c = ahead[j];
                    if (c == '\r' || c == '\n' || (c == 0 && forbidNul)) {
                        break;
                    }
                    high |= c;
                    j++;
                }
                int n = j - from;
                if (n > 0) {
                    System.arraycopy(ahead, from, piece, len, n);
                    aheadPos = j;
                    len += n;
                    lineOctets += n;
                    textOctets += n;
                    size += n;
                    eightBit |= high < 0;
                    prev = ahead[j - 1] & 0xFF;
                    if (len == piece.length) {
                        if (defect == null) {
                            sink.write(piece, 0, len);
                        }
                        len = 0;
                    }
                    continue;
                }
            }
            int b = next();
            boolean endOfLine = b == '\n' && prev == '\r';
            if (!endOfLine && (b == '\n' || prev == '\r')) {
                defect = first(defect, Defect.BARE_NEWLINE);
            }
            prev = b;
            lineOctets++;
            if (b != '\r' && b != '\n') {
                if (++textOctets > lineLimit) {
                    defect = first(defect, Defect.LINE_TOO_LONG);
                }
                if (b == 0 && forbidNul) {
                    defect = first(defect, Defect.NUL);
                }
                if (b >= 0x80) {
                    eightBit = true;
                }
            }
            if (lineOctets == 1 && b == '.') {
                dotted = true;
                continue;
            }
            if (dotted && lineOctets == 2 && b == '\r') {
                continue; // ".\r" may be the terminator; if no LF follows it is a bare CR, refused anyway
            }
            if (endOfLine && dotted && lineOctets == 3) {
                giveBackTheRest();
                return new Result(size, received, eightBit, defect);
            }
            if (++size > sizeLimit) {
                defect = first(defect, Defect.TOO_BIG);
            }
            piece[len++] = (byte) b;
            if (inHeaders && !headChecked && (len >= RECEIVED.length || endOfLine)) {
                headChecked = true;
                if (endOfLine && lineOctets == 2) {
                    inHeaders = false;
                } else if (startsWithReceived(piece, len)) {
                    received++;
                }
            }
            if (endOfLine || len == piece.length) {
                if (defect == null) {
                    sink.write(piece, 0, len);
                }
                len = 0;
                if (endOfLine) {
                    lineOctets = 0;
                    textOctets = 0;
                    dotted = false;
                    headChecked = false;
                }
            }
        }
    }

    /**
     * The next octet of the client's input. With a stream that supports mark (SubEthaSMTP's
     * buffered session input) octets are read in bulk, as many as are already there, and the ones
     * after the terminator are given back; else one {@code read()} each.
     */
    private int next() throws IOException {
        if (ahead == null) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("connection closed in DATA");
            }
            return b;
        }
        if (aheadPos == aheadLen) {
            in.mark(ahead.length);
            aheadLen = in.read(ahead, 0, ahead.length);
            aheadPos = 0;
            if (aheadLen <= 0) {
                aheadLen = 0;
                throw new EOFException("connection closed in DATA");
            }
        }
        return ahead[aheadPos++] & 0xFF;
    }

    /** Leaves what follows the terminator (pipelined commands) in the stream for the command reader. */
    private void giveBackTheRest() throws IOException {
        if (ahead != null && aheadPos < aheadLen) {
            in.reset();
            in.skipNBytes(aheadPos);
        }
        aheadPos = 0;
        aheadLen = 0;
    }

    private static Defect first(Defect current, Defect found) {
        return current != null ? current : found;
    }

    private static boolean startsWithReceived(byte[] line, int len) {
        if (len < RECEIVED.length) {
            return false;
        }
        for (int i = 0; i < RECEIVED.length; i++) {
            if ((line[i] | 0x20) != RECEIVED[i]) {
                return false;
            }
        }
        return true;
    }
}
