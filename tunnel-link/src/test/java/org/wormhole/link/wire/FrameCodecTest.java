package org.wormhole.link.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The link's frames on the wire (PROTOCOL.md): what is written is read back; anything else is refused. */
class FrameCodecTest {

    private static byte[] bytes(Frame... frames) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Frame f : frames) {
            FrameCodec.write(out, f);
        }
        return out.toByteArray();
    }

    @Test
    void everyFrameTypeRoundTrips() throws Exception {
        byte[] content = "Subject: h\u00e9\r\n\r\nbody\r\n".getBytes(StandardCharsets.UTF_8);
        List<Frame> frames = List.of(
                new Frame.Hello(List.of(1, 2), "tokyo", 256),
                new Frame.Ping(42L),
                new Frame.Pong(42L),
                new Frame.Offer(7, "1K820IHON00HPP.0", "", List.of("a@birlinghoven.example", "j\u00f6rg@b.example"), 3,
                        content.length, 4),
                new Frame.Chunk(7, content),
                new Frame.End(7, 0xCAFEBABE),
                new Frame.Result("1K820IHON00HPP.0", "1K820J0000ABCD", List.of(
                        new Frame.RecipientResult(250, "2.0.0", "queued"),
                        new Frame.RecipientResult(552, "5.2.2", "mailbox full"))),
                new Frame.Cancel(7),
                new Frame.Open(3, "imap", 262_144),
                new Frame.Opened(3, 65_536),
                new Frame.Data(3, content),
                new Frame.Credit(3, 131_072),
                new Frame.Eof(3),
                new Frame.Close(3, "done"),
                new Frame.Goodbye("shutting down"));
        ByteArrayInputStream in = new ByteArrayInputStream(bytes(frames.toArray(new Frame[0])));
        for (Frame expected : frames) {
            Frame got = FrameCodec.read(in);
            if (expected instanceof Frame.Chunk c) {
                assertEquals(c.stream(), ((Frame.Chunk) got).stream());
                assertArrayEquals(c.content(), ((Frame.Chunk) got).content());
            } else if (expected instanceof Frame.Data d) {
                assertEquals(d.channel(), ((Frame.Data) got).channel());
                assertArrayEquals(d.content(), ((Frame.Data) got).content());
            } else {
                assertEquals(expected, got);
            }
        }
        assertThrows(EOFException.class, () -> FrameCodec.read(in), "a clean end between frames");
    }

    @Test
    void aFrameLongerThanTheLimitIsRefusedBeforeItIsRead() {
        byte[] huge = ByteBuffer.allocate(5).putInt(Frame.MAX_LENGTH + 1).put((byte) 0x11).array();
        ProtocolViolation v = assertThrows(ProtocolViolation.class, () -> FrameCodec.read(new ByteArrayInputStream(huge)));
        assertEquals("frame length 65542 outside 1..65541", v.getMessage());
        byte[] negative = ByteBuffer.allocate(4).putInt(-1).array();
        assertThrows(ProtocolViolation.class, () -> FrameCodec.read(new ByteArrayInputStream(negative)));
    }

    @Test
    void malformedFramesAreNamed() throws Exception {
        assertEquals("unknown frame type 0x42", violation(ByteBuffer.allocate(5).putInt(1).put((byte) 0x42).array()));
        assertEquals("PING frame too short", violation(ByteBuffer.allocate(9).putInt(5).put((byte) 0x02).putInt(0).array()));
        byte[] ping = bytes(new Frame.Ping(1));
        byte[] longPing = Arrays.copyOf(ping, ping.length + 1);
        ByteBuffer.wrap(longPing).putInt(10);
        assertEquals("PING frame with 1 octets left over", violation(longPing));
        byte[] cut = Arrays.copyOf(bytes(new Frame.Goodbye("bye")), 7);
        // A frame cut short is a network cut, not a violation: the link is lost, not the peer's fault.
        java.io.EOFException eof = assertThrows(java.io.EOFException.class,
                () -> FrameCodec.read(new ByteArrayInputStream(cut)));
        assertEquals("connection closed inside a frame", eof.getMessage());
        byte[] badUtf8 = bytes(new Frame.Goodbye("ab"));
        badUtf8[badUtf8.length - 1] = (byte) 0xC3;
        assertEquals("string that is not UTF-8", violation(badUtf8));
        byte[] noRcpt = bytes(new Frame.Offer(1, "id", "", List.of("a@b"), 0, 1, 0));
        int countAt = 4 + 1 + 4 + 2 + 2 + 2; // length, type, stream, id "id", empty sender
        noRcpt[countAt] = 0;
        noRcpt[countAt + 1] = 0;
        assertEquals("OFFER with 0 recipients", violation(noRcpt));
        assertEquals("stream frame on channel 0", violation(bytes(new Frame.Eof(0))));
        assertEquals("bad service name", violation(bytes(new Frame.Open(1, "i map", 10))));
        assertEquals("credit 0 outside 1..1073741824", violation(bytes(new Frame.Credit(1, 0))));
        assertEquals("credit 2147483648 outside 1..1073741824", violation(bytes(new Frame.Opened(1, Integer.MIN_VALUE))));
    }

    @Test
    void randomBytesNeverGetPastTheCodecAsAnythingButAViolationOrAnEnd() {
        Random rnd = new Random(4650);
        for (int i = 0; i < 20_000; i++) {
            byte[] junk = new byte[rnd.nextInt(40)];
            rnd.nextBytes(junk);
            if (junk.length >= 4 && rnd.nextBoolean()) {
                ByteBuffer.wrap(junk).putInt(junk.length - 4); // a plausible length, random content
            }
            try {
                FrameCodec.read(new ByteArrayInputStream(junk));
            } catch (ProtocolViolation | EOFException expected) {
                // refused, or too short to hold a frame length
            } catch (IOException | RuntimeException e) {
                throw new AssertionError("junk " + Arrays.toString(junk) + " gave " + e, e);
            }
        }
    }

    private static String violation(byte[] wire) {
        return assertThrows(ProtocolViolation.class, () -> FrameCodec.read(new ByteArrayInputStream(wire))).getMessage();
    }
}
