package org.wormhole.relay.smtpd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** DATA as the client sends it in, stored content out (or the defect), and where reading stopped. */
class DataReaderTest {

    private static final String AFTER = "QUIT\r\n"; // the next command, which must stay unread

    private ByteArrayOutputStream stored;
    private InputStream in;

    private DataReader.Result read(String wire, long sizeLimit, ContentChecks checks) throws Exception {
        stored = new ByteArrayOutputStream();
        in = new ByteArrayInputStream((wire + AFTER).getBytes(StandardCharsets.ISO_8859_1));
        return new DataReader(in, sizeLimit, checks).readTo(stored);
    }

    private String rest() throws Exception {
        return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
    }

    @Test
    void contentIsStoredDotUnstuffedAndReadingStopsAtTheTerminator() throws Exception {
        DataReader.Result r = read("Received: x\r\nSubject: a\r\n\r\n..dot\r\nReceived: not a header\r\n.\r\n",
                1000, ContentChecks.defaults());
        assertNull(r.defect());
        assertEquals("Received: x\r\nSubject: a\r\n\r\n.dot\r\nReceived: not a header\r\n",
                stored.toString(StandardCharsets.ISO_8859_1));
        assertEquals(1, r.receivedHeaders());
        assertEquals(stored.size(), r.size());
        assertEquals(AFTER, rest());
    }

    @Test
    void aLineLongerThanOnePieceIsStoredByteForByte() throws Exception {
        StringBuilder line = new StringBuilder();
        for (int i = 0; line.length() < 3 * DataReader.PIECE + 17; i++) {
            line.append((char) (i % 94 + 33));
        }
        String content = "Subject: long\r\n\r\n." + line + "\r\n" + line + "\r\n";
        DataReader.Result r = read(content.replace("\r\n.", "\r\n..") + ".\r\n", 1 << 20, ContentChecks.defaults());
        assertNull(r.defect());
        assertArrayEquals(content.getBytes(StandardCharsets.ISO_8859_1), stored.toByteArray());
        assertEquals(AFTER, rest());
    }

    @Test
    void aLineOverTheLimitIsRefusedAndTheRestStillConsumed() throws Exception {
        ContentChecks limit10 = new ContentChecks(10, true);
        assertNull(read("0123456789\r\n.\r\n", 1000, limit10).defect());
        DataReader.Result r = read("0123456789x\r\nMAIL FROM:<a@b.example>\r\n.\r\n", 1000, limit10);
        assertEquals(DataReader.Defect.LINE_TOO_LONG, r.defect());
        assertEquals("550 5.6.0 Message content rejected: line longer than 10 octets", r.defect().reply(limit10));
        assertEquals(AFTER, rest());
    }

    @Test
    void aNulIsRefusedUnlessAllowedAndThenStoredAsItIs() throws Exception {
        String smuggling = "hello\r\n\0.\r\nMAIL FROM:<ceo@b.example>\r\n.\r\n";
        DataReader.Result r = read(smuggling, 1000, ContentChecks.defaults());
        assertEquals(DataReader.Defect.NUL, r.defect());
        assertEquals(AFTER, rest());

        r = read(smuggling, 1000, new ContentChecks(Long.MAX_VALUE, false));
        assertNull(r.defect());
        assertEquals("hello\r\n\0.\r\nMAIL FROM:<ceo@b.example>\r\n", stored.toString(StandardCharsets.ISO_8859_1));
        assertEquals(AFTER, rest());
    }

    @Test
    void bareCrOrLfIsStillTheFirstDefectNamed() throws Exception {
        assertEquals(DataReader.Defect.BARE_NEWLINE, read("a\n\0\r\n.\r\n", 1000, ContentChecks.defaults()).defect());
        assertEquals(DataReader.Defect.BARE_NEWLINE, read("a\r.\r\n.\r\n", 1000, ContentChecks.defaults()).defect());
        assertEquals(AFTER, rest());
    }

    @Test
    void readingAheadInBulkFindsWhatReadingOneOctetAtATimeFinds() throws Exception {
        java.util.Random random = new java.util.Random(9);
        byte[] alphabet = {'a', 'b', 'R', 'e', '.', ':', ' ', (byte) 0xC3, 0};
        for (int round = 0; round < 500; round++) {
            StringBuilder wire = new StringBuilder(round % 2 == 0 ? "Received: x\r\n" : "");
            int n = random.nextInt(600);
            for (int i = 0; i < n; i++) {
                int k = random.nextInt(20);
                wire.append(k == 0 ? "\r\n" : k == 1 ? "\r\n." : k == 2 && random.nextInt(8) == 0 ? "\r"
                        : k == 3 && random.nextInt(8) == 0 ? "\n"
                        : String.valueOf((char) (alphabet[random.nextInt(alphabet.length)] & 0xFF)));
            }
            wire.append("\r\n.\r\n");
            long sizeLimit = 50 + random.nextInt(600);
            ContentChecks checks = new ContentChecks(5 + random.nextInt(60), random.nextBoolean());

            DataReader.Result bulk = read(wire.toString(), sizeLimit, checks);
            byte[] bulkStored = stored.toByteArray();
            String bulkRest = rest();

            ByteArrayOutputStream single = new ByteArrayOutputStream();
            InputStream bytes = new ByteArrayInputStream((wire + AFTER).getBytes(StandardCharsets.ISO_8859_1));
            InputStream noMark = new InputStream() { // as a stream without mark: one read() each
                @Override
                public int read() throws java.io.IOException {
                    return bytes.read();
                }
            };
            DataReader.Result one = new DataReader(noMark, sizeLimit, checks).readTo(single);

            assertEquals(one, bulk, wire.toString());
            if (one.defect() == null) {
                assertArrayEquals(single.toByteArray(), bulkStored, wire.toString());
            }
            // (a random "CRLF . CRLF" inside may end it early: both must stop at the same place)
            assertEquals(new String(bytes.readAllBytes(), StandardCharsets.ISO_8859_1), bulkRest, wire.toString());
            assertTrue(bulkRest.endsWith(AFTER));
        }
    }

    @Test
    void contentOverTheSizeLimitIsRefused() throws Exception {
        assertEquals(DataReader.Defect.TOO_BIG, read("0123456789\r\n.\r\n", 11, ContentChecks.defaults()).defect());
        assertNull(read("0123456789\r\n.\r\n", 12, ContentChecks.defaults()).defect());
    }
}
