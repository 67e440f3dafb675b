package org.wormhole.relay.smtpd;

import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Passes content through unchanged and notes the value of its first {@code Message-ID:} header
 * (unfolded), for Postfix's {@code cleanup: ID: message-id=<...>} log line. Only the header section
 * is looked at, at most {@value #HEADER_LIMIT} octets of it, a header line at most
 * {@value #LINE_LIMIT}; the value is cut to {@value #VALUE_LIMIT} characters, with control
 * characters as spaces. Not thread-safe.
 */
final class MessageIdCapture extends FilterOutputStream {

    static final int HEADER_LIMIT = 64 * 1024;
    static final int LINE_LIMIT = 1000;
    static final int VALUE_LIMIT = 250;
    private static final String NAME = "message-id:";

    private final ByteArrayOutputStream line = new ByteArrayOutputStream(128);
    private boolean inHeaders = true;
    private long headerOctets;
    private boolean continuing; // the last header line was the Message-ID: a folded line continues it
    private StringBuilder value;

    MessageIdCapture(OutputStream out) {
        super(out);
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
        for (int i = off; inHeaders && i < off + len; i++) {
            if (++headerOctets > HEADER_LIMIT) {
                inHeaders = false;
            } else if (b[i] == '\n') {
                headerLine();
                line.reset();
            } else if (line.size() < LINE_LIMIT) {
                line.write(b[i]);
            }
        }
    }

    private void headerLine() {
        String text = line.toString(StandardCharsets.UTF_8);
        if (text.endsWith("\r")) {
            text = text.substring(0, text.length() - 1);
        }
        if (text.isEmpty()) {
            inHeaders = false;
        } else if (text.charAt(0) == ' ' || text.charAt(0) == '\t') {
            if (continuing) {
                value.append(' ').append(text.strip());
            }
        } else {
            continuing = false;
            if (value == null && text.regionMatches(true, 0, NAME, 0, NAME.length())) {
                value = new StringBuilder(text.substring(NAME.length()).strip());
                continuing = true;
            }
        }
    }

    /** The Message-ID header's value as written (with its angle brackets); empty if the content has none. */
    String messageId() {
        if (value == null) {
            return "";
        }
        String v = value.toString().strip();
        StringBuilder sb = new StringBuilder(Math.min(v.length(), VALUE_LIMIT));
        for (int i = 0; i < v.length() && sb.length() < VALUE_LIMIT; i++) {
            char c = v.charAt(i);
            sb.append(c < 0x20 || c == 0x7f ? ' ' : c);
        }
        return sb.toString();
    }
}
