package org.wormhole.proving;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A minimal SMTP client for the proving ground: one connection, from a chosen loopback source
 * address (127.0.0.2 is "a stranger" for a relay whose mynetworks is 127.0.0.1/32), commands
 * and raw bytes as written, replies read whole (multi-line replies joined).
 */
final class Smtp implements Closeable {

    /** A reply: its code and its text (the last line's). */
    record Reply(int code, String text) {
        boolean positive() {
            return code >= 200 && code < 400;
        }

        @Override
        public String toString() {
            return text;
        }
    }

    static final InetAddress LEGIT = address("127.0.0.1");

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    private Smtp(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (IOException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }

    /** Connects from {@code from} to 127.0.0.1:{@code port}; the greeting is left unread. */
    static Smtp connect(InetAddress from, int port, int timeoutMillis) throws IOException {
        Socket s = new Socket();
        try {
            s.setTcpNoDelay(true);
            s.setSoTimeout(timeoutMillis);
            s.bind(new InetSocketAddress(from, 0));
            s.connect(new InetSocketAddress(LEGIT, port), timeoutMillis);
            return new Smtp(s);
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }

    Reply reply() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed by the server");
            }
            line.write(b);
            if (b == '\n') {
                String l = line.toString(StandardCharsets.ISO_8859_1).stripTrailing();
                if (l.length() >= 4 && l.charAt(3) == '-') {
                    line.reset();
                    continue;
                }
                int code;
                try {
                    code = Integer.parseInt(l.substring(0, Math.min(3, l.length())));
                } catch (NumberFormatException e) {
                    throw new IOException("not an SMTP reply: " + l);
                }
                return new Reply(code, l);
            }
        }
    }

    void timeout(int millis) throws IOException {
        socket.setSoTimeout(millis);
    }

    Reply command(String line) throws IOException {
        write(line + "\r\n");
        return reply();
    }

    void write(String raw) throws IOException {
        write(raw.getBytes(StandardCharsets.ISO_8859_1));
    }

    void write(byte[] raw) throws IOException {
        out.write(raw);
        out.flush();
    }

    /**
     * A whole transaction on a new connection: greeting, EHLO, MAIL, RCPT, DATA, content (already
     * dot-stuffed, ending in CRLF), the final dot. Returns the first negative reply, or the reply to
     * the content.
     */
    static Reply send(InetAddress from, int port, String sender, String rcpt, byte[] content) throws IOException {
        try (Smtp s = connect(from, port, 30_000)) {
            Reply r = s.reply();
            if (!r.positive()) {
                return r;
            }
            for (String c : new String[] {"EHLO client.proving.example", "MAIL FROM:<" + sender + ">",
                    "RCPT TO:<" + rcpt + ">", "DATA"}) {
                r = s.command(c);
                if (!r.positive()) {
                    return r;
                }
            }
            s.write(content);
            r = s.command(".");
            try {
                s.command("QUIT");
            } catch (IOException ignored) {
                // the reply that counts was read
            }
            return r;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
