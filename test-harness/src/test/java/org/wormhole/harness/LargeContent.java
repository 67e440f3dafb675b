package org.wormhole.harness;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The body of a large test message, streamed: 76-character lines of the base64 alphabet (random,
 * from a fixed seed) in 64 KiB writes, hashed as they go out. No line starts with a dot, so what
 * goes on the wire after DATA is the content itself.
 */
final class LargeContent {

    private static final byte[] ALPHABET =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".getBytes(StandardCharsets.US_ASCII);
    private static final int LINE = 78;
    private static final int LINES_PER_WRITE = 840;

    private LargeContent() {
    }

    /**
     * Writes lines to {@code c} until at least {@code octets} octets (rounded up to whole lines),
     * each write into {@code digest} as well; returns the octets written.
     */
    static long write(SmtpTranscript c, long octets, MessageDigest digest) throws IOException {
        SplittableRandom random = new SplittableRandom(20250602);
        byte[] chunk = new byte[LINE * LINES_PER_WRITE];
        long written = 0;
        while (written < octets) {
            int lines = (int) Math.min(LINES_PER_WRITE, (octets - written + LINE - 1) / LINE);
            int n = 0;
            for (int l = 0; l < lines; l++) {
                for (int i = 0; i < LINE - 2; i++) {
                    chunk[n++] = ALPHABET[random.nextInt(64)];
                }
                chunk[n++] = '\r';
                chunk[n++] = '\n';
            }
            digest.update(chunk, 0, n);
            c.raw(n == chunk.length ? chunk : Arrays.copyOf(chunk, n));
            written += n;
        }
        return written;
    }
}
