package org.wormhole.link;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.wormhole.link.wire.Frame;
import org.wormhole.link.wire.ProtocolViolation;

/**
 * The receiving half of a {@link LinkCourier}: takes the peer's OFFER, CHUNK, END and CANCEL
 * frames, hands new messages to the {@link Custodian}, and answers each with a RESULT.
 *
 * <ul>
 *   <li>A message id the custodian already accepted is drained and answered with the stored
 *       RESULT: nothing is queued twice.</li>
 *   <li>A message the custodian cannot take ({@link Custodian#begin} throws) is drained and
 *       answered 452 4.3.1 for every recipient (backpressure).</li>
 *   <li>At END the size and CRC-32C are checked; the commit (which fsyncs) and the RESULT run on a
 *       small pool of settling threads, so other streams keep flowing meanwhile.</li>
 * </ul>
 *
 * <p>A frame that breaks the rules (more streams than this side's window, an unknown or reused
 * stream, content past the offered size, a size or CRC mismatch at END) throws
 * {@link ProtocolViolation}; the caller closes the link. Nothing is lost: the sender keeps every
 * message until its RESULT.
 *
 * <p>Thread-safe. Frames come from the session's reader thread; {@link #down} may come from any
 * thread. The reader thread never writes to the socket here, so it cannot block on a peer whose
 * own reader is blocked writing to us.
 */
final class OfferReceiver {

    private static final Logger log = LoggerFactory.getLogger("link");
    private static final int SETTLERS = 4;

    private final LinkSession session;
    private final String peer;
    private final Custodian custodian;
    private final LinkTraffic traffic;
    private final int window;
    private final ThreadPoolExecutor settling;
    private final Map<Integer, InboundStream> open = new HashMap<>(); // guarded by this
    private final Set<String> inFlight = ConcurrentHashMap.newKeySet(); // ids from OFFER until RESULT or CANCEL
    private boolean down; // guarded by this

    OfferReceiver(LinkSession session, String peer, Custodian custodian, LinkTraffic traffic) {
        this.session = session;
        this.traffic = traffic;
        this.peer = peer;
        this.custodian = custodian;
        this.window = session.window();
        this.settling = new ThreadPoolExecutor(SETTLERS, SETTLERS, 10, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                r -> {
                    Thread t = new Thread(r, "link-settle-" + peer);
                    t.setDaemon(true);
                    return t;
                });
        settling.allowCoreThreadTimeOut(true);
    }

    synchronized void offer(Frame.Offer o) throws ProtocolViolation {
        if (down) {
            return;
        }
        if (open.containsKey(o.stream())) {
            throw new ProtocolViolation("OFFER on stream " + Integer.toUnsignedString(o.stream()) + ", which is open");
        }
        if (inFlight.size() >= window) {
            throw new ProtocolViolation("more than " + window + " messages in flight (our window)");
        }
        if (!inFlight.add(o.messageId())) {
            throw new ProtocolViolation("message " + o.messageId() + " offered again while in flight");
        }
        open.put(o.stream(), start(o));
    }

    /** Decides what becomes of an offered message: stored RESULT, a new Incoming, or a refusal. */
    private InboundStream start(Frame.Offer o) {
        try {
            Optional<Frame.Result> known = custodian.known(peer, o.messageId()).map(WireRecords::frame);
            if (known.isPresent()) {
                log.info("link from {}: message {} already accepted, answering its stored RESULT", peer, o.messageId());
                return InboundStream.draining(o, known.get());
            }
            return InboundStream.receiving(o, custodian.begin(peer, WireRecords.offer(o)));
        } catch (CustodyRefused r) {
            log.info("link from {}: message {} refused: {} {} {}", peer, o.messageId(), r.code(), r.enhancedStatus(),
                    r.getMessage());
            return InboundStream.draining(o, InboundStream.refusal(o, r.code(), r.enhancedStatus(), r.getMessage()));
        } catch (IOException e) {
            log.info("link from {}: message {} refused for now: {}", peer, o.messageId(), InboundStream.reason(e));
            return InboundStream.draining(o, InboundStream.refusal(o, 452, "4.3.1", InboundStream.reason(e)));
        } catch (RuntimeException e) {
            log.error("link from {}: the custodian failed on message {}", peer, o.messageId(), e);
            return InboundStream.draining(o, InboundStream.refusal(o, 451, "4.3.0", "local error in processing"));
        }
    }

    synchronized void chunk(Frame.Chunk c) throws ProtocolViolation {
        if (!down) {
            stream(c.stream(), "CHUNK").take(c.content());
            traffic.receivedContent(c.content().length);
        }
    }

    synchronized void end(Frame.End e) throws ProtocolViolation {
        if (down) {
            return;
        }
        InboundStream s = stream(e.stream(), "END");
        open.remove(e.stream());
        s.end(e.crc32c());
        traffic.receivedMessage();
        try {
            settling.execute(() -> settle(s));
        } catch (RejectedExecutionException closing) {
            s.abort();
        }
    }

    synchronized void cancel(Frame.Cancel c) throws ProtocolViolation {
        if (down) {
            return;
        }
        InboundStream s = stream(c.stream(), "CANCEL");
        open.remove(c.stream());
        s.abort();
        inFlight.remove(s.offer().messageId());
        log.info("link from {}: message {} cancelled by the sender", peer, s.offer().messageId());
    }

    /**
     * The link is down: drops every message still arriving. Messages already past END still
     * settle (custody may pass; their RESULT is lost with the link, and the resend is answered
     * from the custodian's record).
     */
    void down() {
        ArrayList<InboundStream> dropped;
        synchronized (this) {
            down = true;
            dropped = new ArrayList<>(open.values());
            open.clear();
            settling.shutdown();
        }
        dropped.forEach(InboundStream::abort);
        if (!dropped.isEmpty()) {
            log.info("link from {} down: dropped {} incomplete messages", peer, dropped.size());
        }
    }

    private InboundStream stream(int stream, String frame) throws ProtocolViolation {
        InboundStream s = open.get(stream);
        if (s == null) {
            throw new ProtocolViolation(frame + " on stream " + Integer.toUnsignedString(stream) + ", which is not open");
        }
        return s;
    }

    /** On a settling thread: commit, then answer. The id leaves the window before the RESULT goes out. */
    private void settle(InboundStream s) {
        Frame.Result result = s.settle();
        inFlight.remove(s.offer().messageId());
        try {
            session.send(result);
        } catch (IOException e) {
            log.info("link from {}: RESULT for {} not sent ({}); a resend will be answered from the record", peer,
                    s.offer().messageId(), e.getMessage());
        }
    }
}
