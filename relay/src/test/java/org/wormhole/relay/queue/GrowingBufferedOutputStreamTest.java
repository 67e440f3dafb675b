package org.wormhole.relay.queue;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The queue writer's buffer: every byte out in order, small content in one write, large content in writes of the maximum. */
class GrowingBufferedOutputStreamTest {

    /** Records each write it is given. */
    private static final class Writes extends ByteArrayOutputStream {
        final List<Integer> sizes = new ArrayList<>();

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            sizes.add(len);
            super.write(b, off, len);
        }
    }

    @Test
    void aSmallMessageGoesOutInOneWriteAtFlush() throws IOException {
        Writes under = new Writes();
        GrowingBufferedOutputStream out = new GrowingBufferedOutputStream(under, 16384, 65536);
        byte[] content = bytes(10_240, 1);
        out.write(content, 0, 8192); // as DataReader hands it on: pieces of 8 KB
        out.write(content, 8192, content.length - 8192);
        assertEquals(List.of(), under.sizes, "nothing written before the flush");
        out.flush();
        assertEquals(List.of(10_240), under.sizes);
        assertArrayEquals(content, under.toByteArray());
    }

    @Test
    void writesOfEverySizeArriveInOrderAndLargeContentGoesOutInWritesOfTheMaximum() throws IOException {
        Writes under = new Writes();
        GrowingBufferedOutputStream out = new GrowingBufferedOutputStream(under, 16384, 65536);
        byte[] content = bytes(3_000_000, 2);
        SplittableRandom rnd = new SplittableRandom(7);
        int pos = 0;
        while (pos < content.length) {
            int n = Math.min(content.length - pos, rnd.nextInt(4) == 0 ? 1 : rnd.nextInt(1, 150_000));
            if (n == 1) {
                out.write(content[pos]);
            } else {
                out.write(content, pos, n);
            }
            pos += n;
        }
        out.close();
        assertArrayEquals(content, under.toByteArray());
        List<Integer> sizes = under.sizes;
        assertTrue(sizes.subList(0, sizes.size() - 1).stream().allMatch(s -> s >= 65536),
                "every write but the last is at least 64 KB: " + sizes);
    }

    private static byte[] bytes(int n, int seed) {
        byte[] b = new byte[n];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }
}
