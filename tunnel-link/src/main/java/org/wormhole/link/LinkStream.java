package org.wormhole.link;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.wormhole.link.wire.Frame;
import org.wormhole.link.wire.ProtocolViolation;

/**
 * One byte stream carried by a link (protocol version 2, PROTOCOL.md "Streams"): a channel of its
 * own beside the mail, e.g. a forwarded TCP connection. Each direction is flow-controlled by
 * byte credit: this side accepts at most {@code window} octets the local reader has not taken
 * yet, and sends at most what the peer has granted, so a slow reader stalls only its own stream,
 * never the link's reader, the mail or another stream.
 *
 * <p>{@link #input()} returns the peer's octets, then -1 after the peer's EOF, or throws once the
 * stream was closed without one (by either side or by the link going down: the reason is in the
 * exception). {@link #output()} blocks while the peer's credit is used up; its {@code close()}
 * is {@link #shutdownOutput()}: EOF, the peer's input ends. {@link #close(String)} ends both ways.
 * One thread may read and another write at once; each direction is for one thread at a time.
 *
 * <p>Longer than our classes usually are: both directions, the credit each way and the close
 * handshake share one lock and one close state (a CLOSE read ends a blocked write and a blocked
 * read alike), so they stay in one class.
 */
public final class LinkStream {

    private final StreamChannels channels;
    private final int channel;
    private final String service;
    private final int window; // the credit this side grants: octets it holds for the local reader at most
    private final Instant openedAt = Instant.now();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final AtomicLong octetsIn = new AtomicLong();
    private final AtomicLong octetsOut = new AtomicLong();
    // Guarded by lock.
    private final ArrayDeque<byte[]> inbound = new ArrayDeque<>();
    private int headOffset; // octets of inbound's first array already read
    private long unusedGrant; // credit granted to the peer and not yet used by its DATA
    private long takenSinceGrant; // octets the local reader took since the last CREDIT
    private long sendCredit; // octets the peer accepts from this side
    private boolean open; // OPENED sent or received
    private boolean peerEof;
    private boolean eofSent;
    private String closedReason; // set once the stream is over (either side, or the link)
    private boolean closeSent;
    private boolean closeReceived;

    LinkStream(StreamChannels channels, int channel, String service, int window) {
        this.channels = channels;
        this.channel = channel;
        this.service = service;
        this.window = window;
        this.unusedGrant = window;
    }

    /** The peer's octets. */
    public InputStream input() {
        return input;
    }

    /** This side's octets to the peer; {@code close()} sends EOF. */
    public OutputStream output() {
        return output;
    }

    /** The service this stream was opened to, as its OPEN named it. */
    public String service() {
        return service;
    }

    /** The stream's channel number on its link. */
    public int channel() {
        return channel;
    }

    public Instant openedAt() {
        return openedAt;
    }

    /** Octets received from the peer. */
    public long octetsIn() {
        return octetsIn.get();
    }

    /** Octets sent to the peer. */
    public long octetsOut() {
        return octetsOut.get();
    }

    /** Why the stream ended, or null while it is open. */
    public String closedReason() {
        lock.lock();
        try {
            return closedReason;
        } finally {
            lock.unlock();
        }
    }

    /** Half-closes: no more octets from this side (EOF); the peer may still send. */
    public void shutdownOutput() throws IOException {
        lock.lock();
        try {
            if (eofSent || closedReason != null) {
                return;
            }
            eofSent = true;
        } finally {
            lock.unlock();
        }
        channels.send(new Frame.Eof(channel));
    }

    /** Ends the stream both ways, telling the peer why. */
    public void close(String reason) {
        lock.lock();
        try {
            if (closeSent) {
                return;
            }
            closeSent = true;
            if (closedReason == null) {
                closedReason = reason;
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        channels.closeSent(this, reason);
    }

    private final InputStream input = new InputStream() {
        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            int n;
            int grant = 0;
            lock.lock();
            try {
                while (inbound.isEmpty() && !peerEof && closedReason == null) {
                    changed.awaitUninterruptibly();
                }
                if (inbound.isEmpty()) {
                    if (peerEof) {
                        return -1;
                    }
                    throw new IOException("stream " + service + " closed: " + closedReason);
                }
                byte[] head = inbound.peekFirst();
                n = Math.min(len, head.length - headOffset);
                System.arraycopy(head, headOffset, b, off, n);
                headOffset += n;
                if (headOffset == head.length) {
                    inbound.removeFirst();
                    headOffset = 0;
                }
                takenSinceGrant += n;
                // Credit back in steps of half the window: one small frame per half window read.
                if (takenSinceGrant >= window / 2 && !peerEof && closedReason == null) {
                    grant = (int) takenSinceGrant;
                    unusedGrant += grant;
                    takenSinceGrant = 0;
                }
            } finally {
                lock.unlock();
            }
            if (grant > 0) {
                channels.send(new Frame.Credit(channel, grant));
            }
            return n;
        }

        @Override
        public int available() {
            lock.lock();
            try {
                return inbound.stream().mapToInt(a -> a.length).sum() - headOffset;
            } finally {
                lock.unlock();
            }
        }
    };

    private final OutputStream output = new OutputStream() {
        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            while (len > 0) {
                int n;
                lock.lock();
                try {
                    while (sendCredit == 0 && closedReason == null && !eofSent) {
                        changed.awaitUninterruptibly();
                    }
                    if (closedReason != null) {
                        throw new IOException("stream " + service + " closed: " + closedReason);
                    }
                    if (eofSent) {
                        throw new IOException("stream " + service + ": output shut down");
                    }
                    n = (int) Math.min(Math.min(len, sendCredit), Frame.MAX_CHUNK);
                    sendCredit -= n;
                } finally {
                    lock.unlock();
                }
                channels.send(new Frame.Data(channel, Arrays.copyOfRange(b, off, off + n)));
                octetsOut.addAndGet(n);
                off += n;
                len -= n;
            }
        }

        @Override
        public void close() throws IOException {
            shutdownOutput();
        }
    };

    // The link's side, called by StreamChannels (the reader thread, or the link going down).

    /** OPENED sent or received: the peer accepts {@code credit} octets. */
    void opened(int credit) {
        lock.lock();
        try {
            open = true;
            sendCredit = credit;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    boolean isOpen() {
        lock.lock();
        try {
            return open;
        } finally {
            lock.unlock();
        }
    }

    void data(byte[] content) throws ProtocolViolation {
        lock.lock();
        try {
            if (closeSent) {
                return; // sent before the peer read our CLOSE
            }
            if (peerEof) {
                throw new ProtocolViolation("DATA after EOF on stream " + channel);
            }
            if (content.length > unusedGrant) {
                throw new ProtocolViolation("DATA of " + content.length + " octets on stream " + channel + " beyond its credit of "
                        + unusedGrant);
            }
            unusedGrant -= content.length;
            inbound.addLast(content);
            octetsIn.addAndGet(content.length);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    void credit(int octets) throws ProtocolViolation {
        lock.lock();
        try {
            if (closeSent) {
                return;
            }
            if (sendCredit + octets > Frame.MAX_CREDIT) {
                throw new ProtocolViolation("CREDIT on stream " + channel + " beyond " + Frame.MAX_CREDIT + " octets");
            }
            sendCredit += octets;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    void eof() throws ProtocolViolation {
        lock.lock();
        try {
            if (closeSent) {
                return;
            }
            if (peerEof) {
                throw new ProtocolViolation("a second EOF on stream " + channel);
            }
            peerEof = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The peer's CLOSE; true if this side must answer it with its own. */
    boolean closeReceived(String reason) {
        lock.lock();
        try {
            closeReceived = true;
            if (closedReason == null) {
                closedReason = "closed by the peer: " + reason;
            }
            changed.signalAll();
            return !closeSent;
        } finally {
            lock.unlock();
        }
    }

    /** Both CLOSEs are through: the channel number is free again. */
    boolean finished() {
        lock.lock();
        try {
            return closeSent && closeReceived;
        } finally {
            lock.unlock();
        }
    }

    /** The link went down: the stream is over, without a CLOSE. */
    void linkDown(String reason) {
        lock.lock();
        try {
            if (closedReason == null) {
                closedReason = "link down: " + reason;
            }
            closeSent = true;
            closeReceived = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
