package org.wormhole.harness;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A raw SMTP client for tests that read like a transcript: {@code send("MAIL FROM:<a@b>")},
 * {@code expect("250")}. Bytes go out exactly as given, so tests can send what real clients
 * must not (bare LF, over-long lines, talking before the greeting).
 */
final class SmtpTranscript implements AutoCloseable {

    private Socket socket;
    /** The TCP connection, under TLS once started. */
    private final Socket tcp;
    private InputStream in;
    private OutputStream out;

    private SmtpTranscript(Socket socket) throws IOException {
        this.socket = socket;
        this.tcp = socket;
        this.socket.setSoTimeout(20_000);
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    static SmtpTranscript connect(int port) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        return new SmtpTranscript(s);
    }

    /**
     * Connects from a given local address: loopback has 127.0.0.2, 127.0.0.3, ... as distinct
     * client addresses.
     */
    static SmtpTranscript connectFrom(String localAddress, int port) throws IOException {
        Socket s = new Socket();
        s.bind(new InetSocketAddress(localAddress, 0));
        s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        return new SmtpTranscript(s);
    }

    /** The client's local port (it names the relay's session thread). */
    int localPort() {
        return socket.getLocalPort();
    }

    /** True when the server has sent something not read yet. */
    boolean replyWaiting() throws IOException {
        return in.available() > 0;
    }

    /** After a 220 to STARTTLS: the TLS handshake, then the session goes on encrypted. */
    SmtpTranscript startTls(javax.net.ssl.SSLSocketFactory factory) throws IOException {
        javax.net.ssl.SSLSocket tls = (javax.net.ssl.SSLSocket) factory.createSocket(socket,
                "relay.test.example", socket.getPort(), true);
        tls.setUseClientMode(true);
        tls.startHandshake();
        socket = tls;
        in = tls.getInputStream();
        out = tls.getOutputStream();
        return this;
    }

    /** The certificate the server presented in the TLS handshake. */
    java.security.cert.Certificate serverCertificate() throws IOException {
        return ((javax.net.ssl.SSLSocket) socket).getSession().getPeerCertificates()[0];
    }

    /** The negotiated TLS protocol, or "none". */
    String tlsProtocol() {
        return socket instanceof javax.net.ssl.SSLSocket s ? s.getSession().getProtocol() : "none";
    }

    /** Sends a command line (CRLF is added). */
    SmtpTranscript send(String line) throws IOException {
        return raw((line + "\r\n").getBytes(StandardCharsets.UTF_8));
    }

    /** Sends bytes exactly as given. */
    SmtpTranscript raw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
        return this;
    }

    SmtpTranscript raw(String text) throws IOException {
        return raw(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Reads one whole reply (all its lines) and checks that it starts with {@code prefix}; returns it. */
    String expect(String prefix) throws IOException {
        String reply = reply();
        assertTrue(reply.startsWith(prefix), "expected a reply starting '" + prefix + "', got: " + reply);
        return reply;
    }

    /** One reply, multi-line replies joined with '\n'; empty string if the server closed. */
    String reply() throws IOException {
        StringBuilder all = new StringBuilder();
        while (true) {
            String line = line();
            if (line == null) {
                return all.toString();
            }
            if (all.length() > 0) {
                all.append('\n');
            }
            all.append(line);
            if (line.length() < 4 || line.charAt(3) != '-') {
                return all.toString();
            }
        }
    }

    /** True when the server has closed the connection. */
    boolean closedByServer() throws IOException {
        try {
            return in.read() < 0;
        } catch (IOException e) {
            return true;
        }
    }

    private String line() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int prev = -1;
        while (true) {
            int c = in.read();
            if (c < 0) {
                return b.size() == 0 ? null : b.toString(StandardCharsets.UTF_8);
            }
            if (c == '\n' && prev == '\r') {
                byte[] bytes = b.toByteArray();
                return new String(bytes, 0, bytes.length - 1, StandardCharsets.UTF_8);
            }
            b.write(c);
            prev = c;
        }
    }

    /** The first line a new client from {@code localAddress} is greeted with now; "" if the connection fails. */
    static String greeting(String localAddress, int port) {
        try (SmtpTranscript c = connectFrom(localAddress, port)) {
            return c.reply();
        } catch (IOException e) {
            return "";
        }
    }

    /** A whole transaction: EHLO, MAIL, RCPT..., DATA, content, dot; returns the final reply. */
    String sendMail(String from, String content, String... to) throws IOException {
        send("EHLO client.example").expect("250");
        send("MAIL FROM:<" + from + ">").expect("250");
        for (String t : to) {
            send("RCPT TO:<" + t + ">").expect("250");
        }
        send("DATA").expect("354");
        raw(content);
        send(".");
        return reply();
    }

    /** Closes the TCP connection without TLS's close_notify, as some clients do after QUIT. */
    void closeWithoutTlsGoodbye() throws IOException {
        tcp.close();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
