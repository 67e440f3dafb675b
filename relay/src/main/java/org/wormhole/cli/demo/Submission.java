package org.wormhole.cli.demo;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.ZonedDateTime;
import org.wormhole.relay.queue.MailDates;

/**
 * A mail client of one of the sites handing a message to its relay by SMTP, as a workstation
 * or an internal hub does.
 */
final class Submission {

    private Submission() {
    }

    /**
     * Sends one message to the relay on loopback {@code port}.
     *
     * @return the relay's reply to the message content, e.g. {@code 250 2.0.0 Ok: queued as 1K8...}
     * @throws IOException the relay could not be reached or refused a command (the reply is the message)
     */
    static String send(int port, String from, String to, String subject) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 10_000);
            s.setSoTimeout(30_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            OutputStream out = s.getOutputStream();
            expect(in, "220");
            command(in, out, "EHLO client.demo.example", "250");
            command(in, out, "MAIL FROM:<" + from + ">", "250");
            command(in, out, "RCPT TO:<" + to + ">", "250");
            command(in, out, "DATA", "354");
            String content = "From: <" + from + ">\r\n"
                    + "To: <" + to + ">\r\n"
                    + "Subject: " + subject + "\r\n"
                    + "Date: " + MailDates.format(ZonedDateTime.now()) + "\r\n"
                    + "Message-ID: <" + System.nanoTime() + "@client.demo.example>\r\n"
                    + "\r\n"
                    + subject + ", sent by 'wormhole demo'.\r\n";
            String reply = command(in, out, content + ".", "250");
            command(in, out, "QUIT", "221");
            return reply;
        }
    }

    private static String command(BufferedReader in, OutputStream out, String line, String expected) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return expect(in, expected);
    }

    /** Reads one reply (all its lines); returns its last line. */
    private static String expect(BufferedReader in, String code) throws IOException {
        String line;
        do {
            line = in.readLine();
            if (line == null) {
                throw new IOException("the relay closed the connection");
            }
        } while (line.length() > 3 && line.charAt(3) == '-');
        if (!line.startsWith(code)) {
            throw new IOException(line);
        }
        return line;
    }
}
