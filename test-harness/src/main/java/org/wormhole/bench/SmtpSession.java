package org.wormhole.bench;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** One SMTP session that sends many messages, one transaction after another (pipelined where allowed). */
final class SmtpSession implements AutoCloseable {

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    /** Connects and says EHLO; throws if the server does not greet with 2xx. */
    SmtpSession(int port, int connectTimeoutMillis) throws IOException {
        socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), connectTimeoutMillis);
            socket.setSoTimeout(120_000);
            in = new BufferedInputStream(socket.getInputStream());
            out = new BufferedOutputStream(socket.getOutputStream(), 65536);
            expect('2');
            out.write("EHLO load.example\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            expect('2');
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    /** One message to {@code rcpt}; true if the server answered 250 to its end of data. */
    boolean send(String rcpt, byte[] content) throws IOException {
        out.write(("MAIL FROM:<load@client.example>\r\nRCPT TO:<" + rcpt + ">\r\nDATA\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        boolean mail = expect('2');
        boolean to = expect('2');
        if (!expect('3')) {
            out.write("RSET\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            expect('2');
            return false;
        }
        out.write(content);
        out.write(".\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return expect('2') && mail && to;
    }

    @Override
    public void close() throws IOException {
        try {
            out.write("QUIT\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
        } catch (IOException ignored) {
            // closing anyway
        }
        socket.close();
    }

    /** Reads one reply; true if it starts with {@code digit}. */
    private boolean expect(char digit) throws IOException {
        return expect(in, digit);
    }

    /** Reads one reply (its continuation lines too) from {@code in}; true if it starts with {@code digit}. */
    static boolean expect(InputStream in, char digit) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("server closed");
            }
            line.write(b);
            if (b == '\n') {
                byte[] l = line.toByteArray();
                if (l.length >= 4 && l[3] == '-') {
                    line.reset();
                    continue;
                }
                return l[0] == digit;
            }
        }
    }

    /** A message of about {@code size} bytes with extra header lines (each ending in CRLF). */
    static byte[] message(int size, String extraHeaders) {
        StringBuilder sb = new StringBuilder(size + 200);
        sb.append("From: load@client.example\r\nTo: user@birlinghoven.example\r\nSubject: backlog\r\n").append(extraHeaders)
                .append("\r\n");
        while (sb.length() < size) {
            sb.append("abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789\r\n");
        }
        return sb.toString().getBytes(StandardCharsets.US_ASCII);
    }
}
