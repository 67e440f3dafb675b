package org.wormhole.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wormhole.link.wire.Frame;
import org.wormhole.link.wire.FrameCodec;

/**
 * Birlinghoven's courier against a peer whose frames are written by hand: a peer that breaks the
 * custody rules, or the streams' (version 2), is cut off with GOODBYE saying why, and nothing it
 * sent is stored.
 */
class LinkCourierViolationTest {

    /** Birlinghoven accepts 2 messages in flight. */
    private static final SessionSettings SETTINGS = new SessionSettings(Duration.ofSeconds(2), 5, 2,
            Duration.ofSeconds(5));

    @TempDir
    Path dir;

    private final MemoryCustodian birlinghovenQueue = new MemoryCustodian();
    private ServerSocket listener;
    private SSLSocket tokyo;
    private OutputStream toBirlinghoven;
    private InputStream fromBirlinghoven;
    private LinkSession birlinghoven;

    /** Birlinghoven's link session with its courier; Tokyo is a raw TLS socket that has exchanged HELLO. */
    @BeforeEach
    void linked() throws Exception {
        SiteIdentity tokyoId = SiteIdentity.generate(dir.resolve("tokyo"), "tokyo", Duration.ofDays(30));
        SiteIdentity birlId = SiteIdentity.generate(dir.resolve("birlinghoven"), "birlinghoven", Duration.ofDays(30));
        listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        LinkTls serverTls = new LinkTls(birlId, Set.of(tokyoId.pin()), (p, w) -> { });
        CompletableFuture<LinkSession> birl = CompletableFuture.supplyAsync(() -> {
            try {
                SSLSocket s = serverTls.serverSide(listener.accept());
                s.startHandshake();
                return LinkSession.start(s, "birlinghoven", SETTINGS,
                        session -> new LinkCourier(session, "tokyo", birlinghovenQueue));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        LinkTls clientTls = new LinkTls(tokyoId, Set.of(birlId.pin()), (p, w) -> { });
        tokyo = clientTls.clientSide(new Socket(InetAddress.getLoopbackAddress(), listener.getLocalPort()), "birlinghoven");
        tokyo.startHandshake();
        tokyo.setSoTimeout(20_000);
        toBirlinghoven = new BufferedOutputStream(tokyo.getOutputStream());
        fromBirlinghoven = tokyo.getInputStream();
        send(new Frame.Hello(List.of(1, 2), "tokyo", 64));
        assertEquals(new Frame.Hello(List.of(1, 2), "birlinghoven", 2), FrameCodec.read(fromBirlinghoven));
        // Version 2: the listening side offers lanes (three more connections by default) at once.
        assertEquals(3, ((Frame.Lanes) FrameCodec.read(fromBirlinghoven)).lanes());
        birlinghoven = birl.get(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void close() throws Exception {
        birlinghoven.close();
        tokyo.close();
        listener.close();
    }

    private void send(Frame... frames) throws Exception {
        for (Frame f : frames) {
            FrameCodec.write(toBirlinghoven, f);
        }
        toBirlinghoven.flush();
    }

    /** The next frame from Birlinghoven that is not a keepalive. */
    private Frame receive() throws Exception {
        while (true) {
            Frame f = FrameCodec.read(fromBirlinghoven);
            if (!(f instanceof Frame.Ping || f instanceof Frame.Pong)) {
                return f;
            }
        }
    }

    private static Frame.Offer offer(int stream, String id, long size) {
        return new Frame.Offer(stream, id, "sender@tokyo.example", List.of("a@birlinghoven.example"), 0, size, 1);
    }

    private static Frame.Chunk chunk(int stream, String content) {
        return new Frame.Chunk(stream, content.getBytes(StandardCharsets.US_ASCII));
    }

    private static int crc(String content) {
        CRC32C crc = new CRC32C();
        crc.update(content.getBytes(StandardCharsets.US_ASCII));
        return (int) crc.getValue();
    }

    private void assertCutOffWith(String reason) throws Exception {
        assertEquals(new Frame.Goodbye("protocol violation by the peer: " + reason), receive());
        assertFalse(birlinghoven.isOpen());
        assertEquals(List.of(), birlinghovenQueue.queue(), "nothing stored");
    }

    @Test
    void contentWhoseChecksumDoesNotMatchEndClosesTheLinkAndIsDropped() throws Exception {
        send(offer(1, "1KCRC000000000.0", 12), chunk(1, "Subject: x\r\n"), new Frame.End(1, crc("Subject: X\r\n")));

        assertCutOffWith(String.format("stream 1: the content's CRC-32C is %08x, END says %08x", crc("Subject: x\r\n"),
                crc("Subject: X\r\n")));
        assertEquals("1KCRC000000000.0", birlinghovenQueue.nextDropped());
    }

    @Test
    void contentPastTheOfferedSizeClosesTheLink() throws Exception {
        send(offer(1, "1KLONG00000000.0", 5), chunk(1, "hello, world"));

        assertCutOffWith("stream 1 carries more than the 5 octets offered");
        assertEquals("1KLONG00000000.0", birlinghovenQueue.nextDropped());
    }

    @Test
    void anEndBeforeAllOfferedOctetsClosesTheLink() throws Exception {
        send(offer(1, "1KSHORT0000000.0", 10), chunk(1, "hello"), new Frame.End(1, crc("hello")));

        assertCutOffWith("stream 1 ended after 5 of the 10 octets offered");
        assertEquals("1KSHORT0000000.0", birlinghovenQueue.nextDropped());
    }

    @Test
    void aChunkOnAStreamNeverOfferedClosesTheLink() throws Exception {
        send(chunk(7, "hello"));

        assertCutOffWith("CHUNK on stream 7, which is not open");
    }

    @Test
    void moreMessagesThanTheWindowClosesTheLinkAndDropsTheOthers() throws Exception {
        send(offer(1, "1KW1.0", 5), offer(2, "1KW2.0", 5), offer(3, "1KW3.0", 5));

        assertCutOffWith("more than 2 messages in flight (our window)");
        assertEquals(Set.of("1KW1.0", "1KW2.0"), Set.of(birlinghovenQueue.nextDropped(), birlinghovenQueue.nextDropped()));
    }

    @Test
    void aCancelledMessageIsDroppedAndTheLinkCarriesOn() throws Exception {
        send(offer(1, "1KGONE00000000.0", 10), chunk(1, "hello"), new Frame.Cancel(1));
        assertEquals("1KGONE00000000.0", birlinghovenQueue.nextDropped());

        send(offer(2, "1KNEXT00000000.0", 5), chunk(2, "hello"), new Frame.End(2, crc("hello")));

        Frame.Result r = (Frame.Result) receive();
        assertEquals("1KNEXT00000000.0", r.messageId());
        assertEquals(250, r.results().get(0).code());
        assertTrue(birlinghoven.isOpen());
        assertEquals(List.of("1KNEXT00000000.0"), birlinghovenQueue.queuedIds());
    }

    @Test
    void aStreamToAServiceNotOfferedIsRefusedAndTheLinkStays() throws Exception {
        send(new Frame.Open(1, "imap", 65_536));

        assertEquals(new Frame.Close(1, "no such service"), receive());
        send(new Frame.Close(1, "ok"));
        send(offer(3, "1KAFTER0000000.0", 5), chunk(3, "hello"), new Frame.End(3, crc("hello")));
        assertEquals("1KAFTER0000000.0", ((Frame.Result) receive()).messageId());
        assertTrue(birlinghoven.isOpen());
    }

    @Test
    void streamDataBeyondTheCreditGrantedClosesTheLink() throws Exception {
        birlinghoven.openStream("logs");
        Frame.Open open = (Frame.Open) receive();
        assertEquals(new Frame.Open(2, "logs", 256 * 1024), open, "the listening side numbers its streams even");
        send(new Frame.Opened(2, 1000));
        byte[] full = new byte[Frame.MAX_CHUNK];
        send(new Frame.Data(2, full), new Frame.Data(2, full), new Frame.Data(2, full), new Frame.Data(2, full));
        send(new Frame.Data(2, new byte[1]));

        assertCutOffWith("DATA of 1 octets on stream 2 beyond its credit of 0");
    }

    @Test
    void aStreamNumberedAsTheOtherSidesOrNotOpenClosesTheLink() throws Exception {
        send(new Frame.Open(2, "imap", 65_536));

        assertCutOffWith("OPEN of stream 2, a number of this side's");
    }

    @Test
    void streamDataOnAStreamNeverOpenedClosesTheLink() throws Exception {
        send(new Frame.Data(5, new byte[] {1}));

        assertCutOffWith("DATA on stream 5, which is not open");
    }
}
