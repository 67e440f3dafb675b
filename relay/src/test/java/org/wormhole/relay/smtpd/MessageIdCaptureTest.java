package org.wormhole.relay.smtpd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The Message-ID of the cleanup log line, taken from content that passes through unchanged. */
class MessageIdCaptureTest {

    private static String captured(String content, int piece) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        MessageIdCapture c = new MessageIdCapture(out);
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < bytes.length; i += piece) {
            c.write(bytes, i, Math.min(piece, bytes.length - i));
        }
        assertArrayEquals(bytes, out.toByteArray());
        return c.messageId();
    }

    @Test
    void theHeadersMessageIdInAnyCaseAndFoldedAndInAnyPieces() throws IOException {
        for (int piece : new int[] {1, 3, 8192}) {
            assertEquals("<1@a.example>", captured("Received: x\r\nMessage-ID: <1@a.example>\r\n\r\nbody\r\n", piece));
            assertEquals("<2@a.example>", captured("message-id:\r\n <2@a.example>\r\nSubject: s\r\n\r\n", piece));
        }
    }

    @Test
    void noneInTheHeadersIsNone() throws IOException {
        assertEquals("", captured("Subject: s\r\n\r\nMessage-ID: <in-the-body@a.example>\r\n", 7));
        assertEquals("", captured("X-Message-ID: <3@a.example>\r\n\r\n", 7));
    }

    @Test
    void aHostileValueIsCutAndHasNoControlCharacters() throws IOException {
        assertEquals("<a b@c>", captured("Message-ID: <a\u001bb@c>\r\n\r\n", 5));
        assertEquals(MessageIdCapture.VALUE_LIMIT, captured("Message-ID: <" + "x".repeat(5000) + ">\r\n\r\n", 100).length());
    }
}
