package org.wormhole.link;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.wormhole.link.wire.Frame;
import org.wormhole.link.wire.ProtocolViolation;

/**
 * The sending half of a {@link LinkCourier}: streams messages to the peer as OFFER, CHUNKs and END
 * on the offering thread, within the peer's window, and completes each message's future with its
 * RESULT.
 *
 * <p>Thread-safe: {@link #offer} is called by many threads at once; their frames interleave, one
 * frame at a time, so a large message does not hold up small ones. {@link #result} comes from the
 * session's reader thread, {@link #down} from any thread.
 */
final class OfferSender {

    private static final Logger log = LoggerFactory.getLogger("link");
    /** Released on down so every offer waiting for the window wakes up and fails. */
    private static final int WAKE_ALL = 1 << 30;

    private final LinkSession session;
    private final String peer;
    private final LinkTraffic traffic;
    private final Semaphore window;
    private final AtomicInteger streams = new AtomicInteger();
    private final ConcurrentMap<String, Pending> pending = new ConcurrentHashMap<>();
    private volatile String downReason;

    /** A message offered (or about to be) and without a RESULT. */
    private record Pending(CompletableFuture<Frame.Result> future, int recipients) {
    }

    /** The message's content could not be read as offered: the stream is cancelled, the link stays. */
    private static final class ContentFailure extends Exception {
        ContentFailure(String reason) {
            super(reason, null, false, false);
        }
    }

    OfferSender(LinkSession session, String peer, LinkTraffic traffic) {
        this.session = session;
        this.peer = peer;
        this.traffic = traffic;
        this.window = new Semaphore(session.peerWindow(), true);
    }

    /** See {@link LinkCourier#offer}. */
    CompletableFuture<Frame.Result> offer(OutboundMessage m) {
        check(m);
        Pending p = new Pending(new CompletableFuture<>(), m.recipients().size());
        Pending earlier = pending.putIfAbsent(m.messageId(), p);
        if (earlier != null) {
            return earlier.future(); // the same message is on its way already
        }
        if (failIfDown(m.messageId(), p)) {
            return p.future();
        }
        try {
            window.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            pending.remove(m.messageId(), p);
            p.future().completeExceptionally(new InterruptedIOException("interrupted waiting for the link's window"));
            return p.future();
        }
        if (!failIfDown(m.messageId(), p)) {
            stream(m, p);
        }
        return p.future();
    }

    /** What the peer would take for a protocol violation, closing the link for every message. */
    private static void check(OutboundMessage m) {
        String id = m.messageId();
        if (!Frame.isName(id, Frame.MAX_ID)) {
            throw new IllegalArgumentException("message id \"" + id + "\" is not 1.." + Frame.MAX_ID + " printable ASCII");
        }
        if (m.recipients().isEmpty() || m.recipients().size() > Frame.MAX_RECIPIENTS) {
            throw new IllegalArgumentException("message " + id + " has " + m.recipients().size() + " recipients, not 1.."
                    + Frame.MAX_RECIPIENTS);
        }
        if (m.size() < 0) {
            throw new IllegalArgumentException("message " + id + " has a negative size");
        }
    }

    /** Sends the message on a new stream; a failed read of its content cancels the stream. */
    private void stream(OutboundMessage m, Pending p) {
        int stream = streams.incrementAndGet();
        FrameWriter lane = session.laneFor(m.size()); // every frame of the message on one lane, in order
        InputStream in;
        try {
            in = m.content().open();
        } catch (IOException e) {
            giveUp(m, p, "cannot read message " + m.messageId() + ": " + InboundStream.reason(e), lane, stream, false);
            return;
        }
        boolean offered = false;
        try {
            lane.write(new Frame.Offer(stream, m.messageId(), m.sender(), m.recipients(), m.flags(), m.size(), m.hops()));
            offered = true;
            CRC32C crc = new CRC32C();
            byte[] buf = new byte[(int) Math.max(1, Math.min(Frame.MAX_CHUNK, m.size()))]; // a small message: its size
            long left = m.size();
            while (left > 0) {
                int n = read(m, in, buf, (int) Math.min(buf.length, left));
                if (n == 0) {
                    throw new ContentFailure("message " + m.messageId() + " ended " + left + " octets short of its size "
                            + m.size());
                }
                crc.update(buf, 0, n);
                lane.write(new Frame.Chunk(stream, n == buf.length ? buf : Arrays.copyOf(buf, n)));
                traffic.sentContent(n);
                left -= n;
            }
            if (read(m, in, buf, 1) > 0) {
                throw new ContentFailure("message " + m.messageId() + " is longer than its size " + m.size());
            }
            lane.write(new Frame.End(stream, (int) crc.getValue()));
            traffic.sentMessage();
        } catch (ContentFailure e) {
            giveUp(m, p, e.getMessage(), lane, stream, offered);
        } catch (IOException e) {
            // A frame may be half written: the link is unusable. Closing it fails this offer too.
            session.close(ConnectionLoss.describe(e), false);
        } catch (RuntimeException e) { // e.g. an envelope string too long for a frame: nothing was written
            giveUp(m, p, "cannot send message " + m.messageId() + ": " + e.getMessage(), lane, stream, offered);
        } finally {
            try {
                in.close();
            } catch (IOException ignored) {
                // read to the end or given up already
            }
        }
    }

    private static int read(OutboundMessage m, InputStream in, byte[] buf, int len) throws ContentFailure {
        try {
            return in.readNBytes(buf, 0, len);
        } catch (IOException e) {
            throw new ContentFailure("cannot read message " + m.messageId() + ": " + InboundStream.reason(e));
        }
    }

    /** Cancels the stream (if it was offered), frees its window slot and fails the offer. */
    private void giveUp(OutboundMessage m, Pending p, String reason, FrameWriter lane, int stream, boolean offered) {
        log.warn("link to {}: {}; message not sent", peer, reason);
        if (offered) {
            try {
                lane.write(new Frame.Cancel(stream)); // on the message's lane: after its OFFER
            } catch (IOException e) {
                session.close(ConnectionLoss.describe(e), false);
            }
        }
        if (pending.remove(m.messageId(), p)) {
            window.release();
        }
        p.future().completeExceptionally(new IOException(reason));
    }

    /**
     * The peer's RESULT: completes its offer.
     *
     * @throws ProtocolViolation no message with its id is in flight, or it has a result per
     *                           recipient for a different number of recipients
     */
    void result(Frame.Result r) throws ProtocolViolation {
        Pending p = pending.get(r.messageId());
        if (p == null) {
            throw new ProtocolViolation("RESULT for message " + r.messageId() + ", which is not in flight");
        }
        if (r.results().size() != p.recipients()) {
            throw new ProtocolViolation("RESULT for message " + r.messageId() + " has " + r.results().size()
                    + " results for " + p.recipients() + " recipients");
        }
        if (pending.remove(r.messageId(), p)) {
            window.release();
            p.future().complete(r);
        }
    }

    /** The link is down: every offer without a RESULT fails, and so does every later one. */
    void down(String reason) {
        if (downReason != null) {
            return; // once per session
        }
        downReason = reason;
        for (String id : pending.keySet()) {
            Pending p = pending.remove(id);
            if (p != null) {
                p.future().completeExceptionally(linkDown());
            }
        }
        window.release(WAKE_ALL);
    }

    private boolean failIfDown(String id, Pending p) {
        if (downReason == null) {
            return false;
        }
        pending.remove(id, p);
        p.future().completeExceptionally(linkDown());
        return true;
    }

    private IOException linkDown() {
        return new IOException("link to " + peer + " down: " + downReason);
    }
}
