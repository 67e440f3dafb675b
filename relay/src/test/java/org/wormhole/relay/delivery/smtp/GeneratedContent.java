package org.wormhole.relay.delivery.smtp;

import java.io.IOException;
import java.io.InputStream;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A large message made up on the fly, never held in memory: a header, then 100-byte lines of
 * pseudo-random 8-bit bytes (no CR or LF inside a line), every seventh starting with a dot.
 * Counts the bytes read from it.
 */
final class GeneratedContent implements MessageContent {

    private static final byte[] HEADER = "Subject: large\r\nContent-Transfer-Encoding: 8bit\r\n\r\n".getBytes();
    private static final int LINE = 100;

    private final long lines;
    private final long seed;
    private final AtomicLong bytesRead = new AtomicLong();

    GeneratedContent(long lines, long seed) {
        this.lines = lines;
        this.seed = seed;
    }

    @Override
    public long size() {
        return HEADER.length + lines * LINE;
    }

    /** Bytes read by all streams opened so far. */
    long bytesRead() {
        return bytesRead.get();
    }

    /** The SHA-256 of the content, computed by streaming it once more. */
    String sha256() throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        try (InputStream in = new DigestInputStream(open(), sha)) {
            in.transferTo(OutputStreamSink.INSTANCE);
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    @Override
    public InputStream open() {
        return new InputStream() {
            private final Random random = new Random(seed);
            private byte[] current = HEADER;
            private int pos;
            private long lineNo;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) == -1 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (pos == current.length && !nextLine()) {
                    return -1;
                }
                int n = Math.min(len, current.length - pos);
                System.arraycopy(current, pos, b, off, n);
                pos += n;
                bytesRead.addAndGet(n);
                return n;
            }

            private boolean nextLine() {
                if (lineNo == lines) {
                    return false;
                }
                byte[] line = new byte[LINE];
                for (int i = 0; i < LINE - 2; i++) {
                    line[i] = (byte) (32 + random.nextInt(224));
                }
                if (lineNo % 7 == 0) {
                    line[0] = '.';
                }
                line[LINE - 2] = '\r';
                line[LINE - 1] = '\n';
                lineNo++;
                current = line;
                pos = 0;
                return true;
            }
        };
    }

    /** Discards bytes. */
    private static final class OutputStreamSink extends java.io.OutputStream {
        static final OutputStreamSink INSTANCE = new OutputStreamSink();

        @Override
        public void write(int b) {
        }

        @Override
        public void write(byte[] b, int off, int len) {
        }
    }
}
