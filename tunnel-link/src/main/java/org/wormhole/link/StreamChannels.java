package org.wormhole.link;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.wormhole.link.wire.Frame;
import org.wormhole.link.wire.ProtocolViolation;

/**
 * The byte streams of one link (protocol version 2, PROTOCOL.md "Streams"): numbers them (the
 * dialing side odd, the listening side even; 0 is the mail's), opens them, hands the peer's
 * requests to the session's listener, routes each stream frame read to its stream, and ends them
 * all when the link goes down. Bounds what the peer may hold: at most {@code maxStreams} streams
 * it opened at once (more are refused, not a violation), at most {@code window} unread octets on
 * each stream (more is a violation).
 *
 * <p>Frames that reading a frame causes (the answer to a CLOSE, a refusal) are written by a thread
 * of the streams' own: the session's reader never waits on the write lock.
 */
final class StreamChannels {

    private static final Logger log = LoggerFactory.getLogger("link");

    private final LinkSession session;
    private final FrameWriter writer;
    private final int window;
    private final int maxStreams;
    private final boolean odd; // this side's channel numbers
    private final AtomicInteger nextChannel;
    private final Map<Integer, LinkStream> streams = new ConcurrentHashMap<>();
    private final Map<Integer, CompletableFuture<LinkStream>> opening = new ConcurrentHashMap<>();
    private final AtomicInteger peerOpened = new AtomicInteger(); // streams the peer opened and that are not over
    private final ExecutorService replies;
    private volatile String downReason;

    StreamChannels(LinkSession session, FrameWriter writer, boolean dialer, int window, int maxStreams) {
        this.session = session;
        this.writer = writer;
        this.window = window;
        this.maxStreams = maxStreams;
        this.odd = dialer;
        this.nextChannel = new AtomicInteger(dialer ? 1 : 2);
        this.replies = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "link-streams-" + session.peerSite());
            t.setDaemon(true);
            return t;
        });
    }

    LinkSession session() {
        return session;
    }

    /** See {@link LinkSession#openStream}. */
    CompletableFuture<LinkStream> open(String service) {
        if (!Frame.isName(service, Frame.MAX_SERVICE)) {
            throw new IllegalArgumentException("service name \"" + service + "\" is not 1.." + Frame.MAX_SERVICE
                    + " printable ASCII");
        }
        CompletableFuture<LinkStream> f = new CompletableFuture<>();
        if (downReason != null) {
            f.completeExceptionally(new IOException("link to " + session.peerSite() + " down: " + downReason));
            return f;
        }
        int channel = nextChannel.getAndAdd(2);
        LinkStream s = new LinkStream(this, channel, service, window);
        streams.put(channel, s);
        opening.put(channel, f);
        try {
            writer.write(new Frame.Open(channel, service, window));
        } catch (IOException e) {
            session.close(ConnectionLoss.describe(e), false);
        }
        if (downReason != null) {
            fail(channel, "link to " + session.peerSite() + " down: " + downReason);
        }
        return f;
    }

    /** A stream frame read from the peer, on the session's reader thread. */
    void frame(Frame f) throws ProtocolViolation {
        if (f instanceof Frame.Open o) {
            opened(o);
        } else if (f instanceof Frame.Opened o) {
            LinkStream s = ours(o.channel(), "OPENED");
            if (s.isOpen() || !opening.containsKey(o.channel())) {
                throw new ProtocolViolation("OPENED for stream " + o.channel() + ", which is not being opened");
            }
            s.opened(o.credit());
            CompletableFuture<LinkStream> f2 = opening.remove(o.channel());
            f2.complete(s);
        } else if (f instanceof Frame.Data d) {
            known(d.channel(), "DATA").data(d.content());
        } else if (f instanceof Frame.Credit c) {
            known(c.channel(), "CREDIT").credit(c.octets());
        } else if (f instanceof Frame.Eof e) {
            known(e.channel(), "EOF").eof();
        } else if (f instanceof Frame.Close c) {
            LinkStream s = known(c.channel(), "CLOSE");
            if (s.closeReceived(c.reason())) {
                reply(() -> s.close("closed by the peer"));
            }
            fail(c.channel(), "stream " + s.service() + " refused by " + session.peerSite() + ": " + c.reason());
            forgetIfFinished(s);
        } else {
            throw new ProtocolViolation("unexpected " + f.getClass().getSimpleName() + " frame");
        }
    }

    private void opened(Frame.Open o) throws ProtocolViolation {
        if ((o.channel() & 1) == (odd ? 1 : 0)) {
            throw new ProtocolViolation("OPEN of stream " + o.channel() + ", a number of this side's");
        }
        LinkStream s = new LinkStream(this, o.channel(), o.service(), window);
        if (streams.putIfAbsent(o.channel(), s) != null) {
            throw new ProtocolViolation("OPEN of stream " + o.channel() + ", which is open");
        }
        if (peerOpened.incrementAndGet() > maxStreams) {
            reply(() -> s.close("too many streams (at most " + maxStreams + ")"));
            return;
        }
        session.listener().open(session, new StreamOpening(this, s, o.credit()));
    }

    /** The stream of a frame: open or closing, any side's. */
    private LinkStream known(int channel, String frame) throws ProtocolViolation {
        LinkStream s = streams.get(channel);
        if (s == null) {
            throw new ProtocolViolation(frame + " on stream " + channel + ", which is not open");
        }
        return s;
    }

    private LinkStream ours(int channel, String frame) throws ProtocolViolation {
        LinkStream s = known(channel, frame);
        if ((channel & 1) != (odd ? 1 : 0)) {
            throw new ProtocolViolation(frame + " for stream " + channel + ", which the peer opened");
        }
        return s;
    }

    /** An accepted request: OPENED to the peer, then the stream may send. */
    void accept(LinkStream s, int peerCredit) {
        run(() -> {
            writer.write(new Frame.Opened(s.channel(), window));
            s.opened(peerCredit);
        });
    }

    /** The stream's CLOSE, from LinkStream.close: to the peer; the number is freed once both are through. */
    void closeSent(LinkStream s, String reason) {
        run(() -> writer.write(new Frame.Close(s.channel(), reason.length() > 500 ? reason.substring(0, 500) : reason)));
        forgetIfFinished(s);
    }

    private void forgetIfFinished(LinkStream s) {
        if (s.finished() && streams.remove(s.channel(), s) && (s.channel() & 1) != (odd ? 1 : 0)) {
            peerOpened.decrementAndGet();
        }
    }

    /** A frame written by a stream's own thread (DATA, CREDIT, EOF). */
    void send(Frame f) throws IOException {
        writer.write(f);
    }

    private interface Write {
        void run() throws IOException;
    }

    /** Writes now, unless on the session's reader thread: then on the streams' thread. */
    private void run(Write w) {
        if (session.isReader(Thread.currentThread())) {
            reply(w::run);
            return;
        }
        write(w);
    }

    private void reply(Write w) {
        try {
            replies.execute(() -> write(w));
        } catch (RejectedExecutionException down) {
            // the link is down: nothing to tell the peer
        }
    }

    private void write(Write w) {
        try {
            w.run();
        } catch (IOException e) {
            session.close(ConnectionLoss.describe(e), false);
        }
    }

    private void fail(int channel, String reason) {
        CompletableFuture<LinkStream> f = opening.remove(channel);
        if (f != null) {
            f.completeExceptionally(new IOException(reason));
        }
    }

    /** The streams now open or closing. */
    List<LinkStream> streams() {
        return List.copyOf(streams.values());
    }

    /** The link is down: every stream is over, every opening fails. */
    void down(String reason) {
        downReason = reason;
        replies.shutdownNow();
        for (LinkStream s : streams.values()) {
            s.linkDown(reason);
            fail(s.channel(), "link to " + session.peerSite() + " down: " + reason);
        }
        if (!streams.isEmpty()) {
            log.debug("link to {}: {} streams ended with the link", session.peerSite(), streams.size());
        }
        streams.clear();
    }
}
