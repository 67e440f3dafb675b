package org.wormhole.relay.delivery.smtp;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads server replies, bounded so that a hostile server cannot exhaust memory: at most
 * {@value #MAX_LINE_BYTES} bytes per line and {@value #MAX_LINES} lines per reply. Not
 * thread-safe. Timeouts are the socket's (SO_TIMEOUT), set by the caller before each read.
 */
final class ReplyReader {

    /** RFC 5321 4.5.3.1.5 asks for 512; real servers send longer texts, none this long. */
    static final int MAX_LINE_BYTES = 2000;
    /** EHLO replies have a dozen lines; nothing legitimate comes near this. */
    static final int MAX_LINES = 100;

    /**
     * One reply as received.
     *
     * @param reply the parsed reply
     * @param lines the text of each line after {@code "250-"}, for EHLO keywords
     */
    record Received(SmtpReply reply, List<String> lines) {
    }

    private final InputStream in;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream(128);

    ReplyReader(InputStream in) {
        this.in = in;
    }

    /** True when the server has sent bytes that no reply has consumed yet. */
    boolean hasUnreadInput() throws IOException {
        return in.available() > 0;
    }

    /**
     * Reads one complete, possibly multi-line, reply.
     *
     * @throws EOFException           the server closed the connection
     * @throws SmtpProtocolException  the reply is malformed or too long
     */
    Received read() throws IOException, SmtpProtocolException {
        List<String> texts = new ArrayList<>();
        int code = -1;
        while (true) {
            if (texts.size() == MAX_LINES) {
                throw new SmtpProtocolException("reply longer than " + MAX_LINES + " lines", null);
            }
            String l = readLine(texts.isEmpty());
            if (l.length() < 3 || !isCode(l) || (l.length() > 3 && l.charAt(3) != ' ' && l.charAt(3) != '-')) {
                throw new SmtpProtocolException("malformed reply line '" + abbreviate(l) + "'", null);
            }
            int c = Integer.parseInt(l.substring(0, 3));
            if (code != -1 && c != code) {
                throw new SmtpProtocolException("reply changes code from " + code + " to " + c + " within one reply", null);
            }
            code = c;
            texts.add(l.length() > 4 ? l.substring(4) : "");
            if (l.length() == 3 || l.charAt(3) == ' ') {
                return new Received(SmtpReply.of(code, texts), List.copyOf(texts));
            }
        }
    }

    private String readLine(boolean first) throws IOException, SmtpProtocolException {
        line.reset();
        while (true) {
            int b = in.read();
            if (b == -1) {
                throw new EOFException(first && line.size() == 0
                        ? "connection closed by server"
                        : "connection closed by server in the middle of a reply");
            }
            if (b == '\n') {
                break;
            }
            if (line.size() == MAX_LINE_BYTES) {
                throw new SmtpProtocolException("reply line longer than " + MAX_LINE_BYTES + " bytes", null);
            }
            line.write(b);
        }
        String s = line.toString(StandardCharsets.UTF_8);
        if (s.endsWith("\r")) {
            s = s.substring(0, s.length() - 1);
        }
        return sanitize(s);
    }

    private static boolean isCode(String l) {
        return l.charAt(0) >= '2' && l.charAt(0) <= '5'
                && Character.isDigit(l.charAt(1)) && l.charAt(1) < 128
                && Character.isDigit(l.charAt(2)) && l.charAt(2) < 128;
    }

    /** Control characters (a stray CR, NUL, ESC) become spaces: reply texts go into logs and DSNs. */
    private static String sanitize(String s) {
        StringBuilder sb = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < ' ' || c == 127) {
                if (sb == null) {
                    sb = new StringBuilder(s);
                }
                sb.setCharAt(i, ' ');
            }
        }
        return sb == null ? s : sb.toString();
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "...";
    }
}
