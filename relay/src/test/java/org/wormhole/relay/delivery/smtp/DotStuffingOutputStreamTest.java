package org.wormhole.relay.delivery.smtp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Stored content in, DATA-phase bytes out. */
class DotStuffingOutputStreamTest {

    @Test
    void aLineStartingWithADotGetsASecondOne() throws Exception {
        assertEquals("..a\r\n...b\r\nc.\r\n..\r\n.\r\n", wire(".a\r\n..b\r\nc.\r\n.\r\n"));
    }

    @Test
    void contentWithoutAFinalCrlfGetsOneBeforeTheDot() throws Exception {
        assertEquals("Subject: x\r\n\r\nbody\r\n.\r\n", wire("Subject: x\r\n\r\nbody"));
        assertEquals("body\r\r\n.\r\n", wire("body\r"));
    }

    @Test
    void emptyContentIsJustTheDot() throws Exception {
        assertEquals(".\r\n", wire(""));
    }

    @Test
    void aDotAfterABareLineFeedIsStuffedToo() throws Exception {
        assertEquals("a\n..b\r\n.\r\n", wire("a\n.b\r\n"));
    }

    @Test
    void stuffingWorksAcrossWriteBoundaries() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DotStuffingOutputStream stuffed = new DotStuffingOutputStream(out);
        for (String piece : new String[] {"line\r", "\n", ".", "dot\r\n", "end\r", "\n"}) {
            stuffed.write(piece.getBytes(StandardCharsets.US_ASCII));
        }
        stuffed.finish();

        assertEquals("line\r\n..dot\r\nend\r\n.\r\n", out.toString(StandardCharsets.US_ASCII));
    }

    @Test
    void eightBitBytesPassUnchanged() throws Exception {
        byte[] all = new byte[256];
        for (int i = 0; i < 256; i++) {
            all[i] = (byte) i;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DotStuffingOutputStream stuffed = new DotStuffingOutputStream(out);
        stuffed.write(all, 0, all.length);
        stuffed.finish();

        byte[] wire = out.toByteArray();
        assertEquals(256 + 2 + 3, wire.length);
        for (int i = 0; i < 256; i++) {
            assertEquals(all[i], wire[i]);
        }
    }

    // Folding, as Postfix's smtp_line_length_limit: CRLF SP after 'limit' octets, then after
    // each further limit - 1 (the space counts); the CRLF and a stuffed dot are not counted.

    @Test
    void aLineOfExactlyTheLimitIsNotFolded() throws Exception {
        assertEquals("0123456789\r\n.\r\n", wire("0123456789\r\n", 10));
    }

    @Test
    void aLongerLineIsFoldedWithCrlfSpace() throws Exception {
        assertEquals("0123456789\r\n a\r\n.\r\n", wire("0123456789a\r\n", 10));
        assertEquals("0123456789\r\n abcdefghi\r\n jklmnopqr\r\n s\r\n.\r\n",
                wire("0123456789abcdefghijklmnopqrs\r\n", 10));
    }

    @Test
    void aFoldNeverSplitsTheLineEndAndEachLineCountsAfresh() throws Exception {
        assertEquals("0123456789\r\nabcdefghij\r\n k\r\nx\r\n.\r\n", wire("0123456789\r\nabcdefghijk\r\nx\r\n", 10));
        assertEquals("0123456789\r\n abc\n\r\n.\r\n", wire("0123456789abc\n", 10)); // a bare LF ends a line too
    }

    @Test
    void aStuffedDotIsNotCountedAndAFoldedLineNeedsNoStuffing() throws Exception {
        assertEquals("..123456789\r\n .bc\r\n.\r\n", wire(".123456789.bc\r\n", 10));
    }

    @Test
    void foldingWorksAcrossWriteBoundaries() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DotStuffingOutputStream stuffed = new DotStuffingOutputStream(out, 4);
        for (String piece : new String[] {"ab", "cd", "e", "fghi\r", "\n", ".", "jklm\r\n"}) {
            stuffed.write(piece.getBytes(StandardCharsets.US_ASCII));
        }
        stuffed.finish();

        assertEquals("abcd\r\n efg\r\n hi\r\n..jkl\r\n m\r\n.\r\n", out.toString(StandardCharsets.US_ASCII));
    }

    @Test
    void limitZeroSendsLinesAsTheyAre() throws Exception {
        String line = "x".repeat(5000) + "\r\n";
        assertEquals(line + ".\r\n", wire(line, 0));
    }

    @Test
    void anyContentInAnyPiecesGivesWhatTheByteByByteRuleGives() throws Exception {
        java.util.Random random = new java.util.Random(8);
        byte[] alphabet = {'a', 'b', '.', ' ', '\r', '\n', (byte) 0xC3};
        for (int round = 0; round < 300; round++) {
            int limit = round % 3 == 0 ? 0 : 2 + random.nextInt(30);
            byte[] stored = new byte[random.nextInt(400)];
            for (int i = 0; i < stored.length; i++) {
                stored[i] = random.nextInt(4) == 0 ? (random.nextBoolean() ? (byte) '\r' : (byte) '\n')
                        : alphabet[random.nextInt(alphabet.length)];
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            DotStuffingOutputStream stuffed = new DotStuffingOutputStream(out, limit);
            for (int off = 0; off < stored.length; ) {
                int n = Math.min(stored.length - off, 1 + random.nextInt(40));
                stuffed.write(stored, off, n);
                off += n;
            }
            stuffed.finish();
            assertEquals(byteByByte(stored, limit), out.toString(StandardCharsets.ISO_8859_1), "limit " + limit);
        }
    }

    /** The rule, one byte at a time: stuff a dot at a line start, fold before a non-CR at the limit. */
    private static String byteByByte(byte[] stored, int limit) {
        StringBuilder sb = new StringBuilder();
        boolean lineStart = true;
        int col = 0;
        for (byte c : stored) {
            if (c == '\n') {
                lineStart = true;
                col = 0;
            } else if (lineStart) {
                lineStart = false;
                if (c == '.') {
                    sb.append('.');
                }
                col++;
            } else {
                if (limit > 0 && col >= limit && c != '\r') {
                    sb.append("\r\n ");
                    col = 1;
                }
                col++;
            }
            sb.append((char) (c & 0xFF));
        }
        int n = stored.length;
        if (n > 0 && !(n >= 2 && stored[n - 2] == '\r' && stored[n - 1] == '\n')) {
            sb.append("\r\n");
        }
        return sb.append(".\r\n").toString();
    }

    private static String wire(String stored, int lineLengthLimit) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DotStuffingOutputStream stuffed = new DotStuffingOutputStream(out, lineLengthLimit);
        stuffed.write(stored.getBytes(StandardCharsets.ISO_8859_1));
        stuffed.finish();
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    private static String wire(String stored) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DotStuffingOutputStream stuffed = new DotStuffingOutputStream(out);
        stuffed.write(stored.getBytes(StandardCharsets.ISO_8859_1));
        stuffed.finish();
        return out.toString(StandardCharsets.ISO_8859_1);
    }
}
