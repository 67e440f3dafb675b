package org.wormhole.link;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Messages a sending relay hands to its link, for tests. */
final class Messages {

    private Messages() {
    }

    /** A message whose content is {@code text}. */
    static OutboundMessage text(String id, String text, String... recipients) {
        return bytes(id, text.getBytes(StandardCharsets.UTF_8), recipients);
    }

    static OutboundMessage bytes(String id, byte[] content, String... recipients) {
        return new OutboundMessage(id, "sender@tokyo.example", List.of(recipients), 0, content.length, 1,
                () -> new ByteArrayInputStream(content));
    }

    /** A message of {@code size} pseudo-random octets made up as they are read, never held in memory. */
    static OutboundMessage generated(String id, long size, String... recipients) {
        return new OutboundMessage(id, "sender@tokyo.example", List.of(recipients), 0, size, 1,
                () -> new Generated(size, id.hashCode(), null));
    }

    /** As {@link #generated}, but reading stops at {@code gate.at()} octets until the gate opens. */
    static OutboundMessage generated(String id, long size, Gate gate, String... recipients) {
        return new OutboundMessage(id, "sender@tokyo.example", List.of(recipients), 0, size, 1,
                () -> new Generated(size, id.hashCode(), gate));
    }

    /** The SHA-256 of a stream, read to its end. */
    static byte[] sha256(InputStream in) throws IOException {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[65_536];
            for (int n; (n = in.read(buf)) > 0; ) {
                d.update(buf, 0, n);
            }
            return d.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] sha256(byte[] content) throws IOException {
        return sha256(new ByteArrayInputStream(content));
    }

    /**
     * Where a message's content pauses while it is being sent, as a slow disk would: reading
     * reaches {@code at} octets, says so ({@link #awaitReached}), and waits until {@link #open}.
     */
    static final class Gate {
        private final long at;
        private final CountDownLatch reached = new CountDownLatch(1);
        private final CountDownLatch opened;

        Gate(long at, CountDownLatch opened) {
            this.at = at;
            this.opened = opened;
        }

        void awaitReached() throws InterruptedException {
            if (!reached.await(20, TimeUnit.SECONDS)) {
                throw new AssertionError("the content was never read up to the gate");
            }
        }

        private void pass() throws IOException {
            reached.countDown();
            try {
                if (!opened.await(20, TimeUnit.SECONDS)) {
                    throw new IOException("the gate at " + at + " octets never opened");
                }
            } catch (InterruptedException e) {
                throw new InterruptedIOException();
            }
        }
    }

    /** Octets from a position-keyed mix (SplitMix64), the same for every reading of one seed. */
    private static final class Generated extends InputStream {
        private final long size;
        private final long seed;
        private final Gate gate;
        private long position;

        Generated(long size, long seed, Gate gate) {
            this.size = size;
            this.seed = seed;
            this.gate = gate;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (gate != null && position == gate.at) {
                gate.pass();
            }
            long end = Math.min(size, gate != null && position < gate.at ? gate.at : size);
            int n = (int) Math.min(len, end - position);
            if (n <= 0) {
                return len == 0 ? 0 : -1;
            }
            for (int i = 0; i < n; i++, position++) {
                b[off + i] = (byte) (mix(seed + (position >>> 3)) >>> ((position & 7) * 8));
            }
            return n;
        }

        private static long mix(long z) {
            z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
            z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
            return z ^ (z >>> 31);
        }
    }
}
