package org.wormhole.link;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.wormhole.link.wire.Frame;
import org.wormhole.link.wire.ProtocolViolation;

/**
 * Custody transfer over one {@link LinkSession}, both ways (PROTOCOL.md "Session" and "Exactly
 * once"): it sends this relay's messages to the peer and completes each with the peer's RESULT,
 * and it takes the peer's messages into the {@link Custodian}, answering each only once the
 * custodian has made it durable.
 *
 * <p>One courier per session, made with it:
 * {@code LinkSession.start(socket, site, settings, s -> new LinkCourier(s, peer, custodian))};
 * it is the session's {@link LinkSession.Listener}. {@link LinkEndpoint} does this for every link
 * when it is given a custodian, see {@link LinkEndpoint#courier}.
 *
 * <p>A peer that breaks the protocol (an unknown stream, more messages than this side's window,
 * content past the offered size, a size or CRC-32C mismatch, a RESULT for nothing in flight) is
 * cut off: the link closes with GOODBYE naming the violation. Nothing is lost: a message is the
 * sender's until its RESULT arrives; a half-received one is dropped
 * ({@link Custodian.Incoming#abort}).
 *
 * <p>The courier writes an Incoming's content but never closes it: {@code commit()} and
 * {@code abort()} own it. The custodian is called on the session's reader thread
 * ({@code known}, {@code begin}, content writes, {@code abort}) and on the courier's settling
 * threads ({@code commit}, several messages at once).
 *
 * <p>Thread-safe.
 */
public final class LinkCourier implements LinkSession.Listener {

    private static final Logger log = LoggerFactory.getLogger("link");

    private final LinkSession session;
    private final String peer;
    private final LinkTraffic traffic;
    private final OfferSender sender;
    private final OfferReceiver receiver;

    /**
     * @param session   the link, whose frames this courier must hear from the first on
     * @param peer      the peer's configured name, as the custodian knows it and as failures name it
     * @param custodian where the peer's messages go
     */
    public LinkCourier(LinkSession session, String peer, Custodian custodian) {
        this(session, peer, custodian, new LinkTraffic());
    }

    /** As above, counting the mail carried in {@code traffic} (shared by the links to one peer). */
    public LinkCourier(LinkSession session, String peer, Custodian custodian, LinkTraffic traffic) {
        this.session = session;
        this.peer = peer;
        this.traffic = traffic;
        this.sender = new OfferSender(session, peer, traffic);
        this.receiver = new OfferReceiver(session, peer, custodian, traffic);
    }

    /** The mail carried, over this link and the earlier ones to the same peer. */
    public LinkTraffic traffic() {
        return traffic;
    }

    /**
     * Hands a message to the peer. Blocks the calling thread while the peer's window is full
     * (at most {@link LinkSession#peerWindow()} messages without a RESULT) and while it streams
     * the content from {@code m.content().open()}, one CHUNK of at most {@link Frame#MAX_CHUNK}
     * octets at a time; many threads may offer at once, and their messages interleave.
     *
     * <p>The future completes with the peer's RESULT, one reply per recipient in order: 2xx
     * delivered, 4xx deferred, 5xx bounced. It fails with an {@link IOException}, and
     * custody has not passed, when the link goes down first ({@code "link to PEER down: reason"};
     * at once for offers after that) or the content cannot be read as offered (the stream is
     * cancelled; the link stays up): the relay defers those recipients. It completes on the
     * session's reader thread: don't block in dependent stages.
     *
     * <p>An offer of a message id already in flight on this link is not sent again: it gets the
     * first offer's future. A resend after a RESULT, or over a new link, is sent and answered by
     * the peer from its record.
     *
     * @throws IllegalArgumentException the message cannot be offered at all (message id not 1..128
     *                                  printable ASCII, no or more than 1000 recipients, negative size)
     */
    public CompletableFuture<CustodyResult> offer(OutboundMessage m) {
        return sender.offer(m).thenApply(WireRecords::result);
    }

    /** The peer's configured name. */
    public String peer() {
        return peer;
    }

    /** Called by the session, on its reader thread, with each mail frame. */
    @Override
    public void frame(LinkSession s, Frame f) {
        try {
            if (f instanceof Frame.Result r) {
                sender.result(r);
            } else if (f instanceof Frame.Offer o) {
                receiver.offer(o);
            } else if (f instanceof Frame.Chunk c) {
                receiver.chunk(c);
            } else if (f instanceof Frame.End e) {
                receiver.end(e);
            } else if (f instanceof Frame.Cancel c) {
                receiver.cancel(c);
            } else {
                throw new ProtocolViolation("unexpected " + f.getClass().getSimpleName() + " frame");
            }
        } catch (ProtocolViolation e) {
            session.close("protocol violation by the peer: " + e.getMessage(), true);
        } catch (RuntimeException e) {
            log.error("link to {}: failed on a {} frame", peer, f.getClass().getSimpleName(), e);
            session.close("internal error: " + e, true);
        }
    }

    /** Called by the session when it ends: fails every offer in flight, drops every message arriving. */
    @Override
    public void down(LinkSession s, String reason) {
        sender.down(reason);
        receiver.down();
    }
}
