package org.wormhole.relay.delivery.smtp;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Random;

/** Stored messages the way the queue holds them (CRLF, not dot-stuffed), and client options. */
final class TestMessages {

    private TestMessages() {
    }

    static SmtpClientOptions plainOptions() {
        return new SmtpClientOptions("client.example", Duration.ofSeconds(5), Duration.ofSeconds(5),
                Duration.ofSeconds(10), false, TlsMode.NONE, null);
    }

    static SmtpClientOptions shortTimeouts() {
        return plainOptions().withTimeouts(Duration.ofSeconds(5), Duration.ofMillis(500), Duration.ofMillis(500));
    }

    /** A small plain message. */
    static byte[] simple(String subject) {
        return ("From: sender@example.org\r\n"
                + "To: rcpt@example.net\r\n"
                + "Subject: " + subject + "\r\n"
                + "Message-ID: <" + subject.hashCode() + "@example.org>\r\n"
                + "\r\n"
                + "Hello.\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * The hard cases for byte-exact relaying: an 8-bit UTF-8 body, lines starting with "." (one of
     * them a lone "."), a 998-character line, and a base64 MIME part of binary-looking data.
     */
    static byte[] tricky() {
        byte[] binary = new byte[3000];
        new Random(42).nextBytes(binary);
        String base64 = Base64.getMimeEncoder(76, "\r\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(binary);
        ByteArrayOutputStream m = new ByteArrayOutputStream();
        write(m, "From: =?UTF-8?Q?J=C3=BCrgen?= <juergen@example.org>\r\n"
                + "To: rcpt@example.net\r\n"
                + "Subject: tricky bytes\r\n"
                + "Message-ID: <tricky@example.org>\r\n"
                + "MIME-Version: 1.0\r\n"
                + "Content-Type: multipart/mixed; boundary=\"b1\"\r\n"
                + "\r\n"
                + "--b1\r\n"
                + "Content-Type: text/plain; charset=UTF-8\r\n"
                + "Content-Transfer-Encoding: 8bit\r\n"
                + "\r\n"
                + "Grüße aus Köln – 東京からこんにちは\r\n"
                + ".a line that starts with a dot\r\n"
                + "..two dots\r\n"
                + ".\r\n"
                + "the line above was a lone dot\r\n"
                + "x".repeat(998) + "\r\n"
                + "--b1\r\n"
                + "Content-Type: application/octet-stream\r\n"
                + "Content-Transfer-Encoding: base64\r\n"
                + "\r\n"
                + base64 + "\r\n"
                + "--b1--\r\n");
        return m.toByteArray();
    }

    private static void write(ByteArrayOutputStream out, String s) {
        out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
    }
}
