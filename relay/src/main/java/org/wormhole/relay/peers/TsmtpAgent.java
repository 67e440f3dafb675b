package org.wormhole.relay.peers;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.wormhole.link.CustodyResult;
import org.wormhole.link.OutboundMessage;
import org.wormhole.link.RecipientReply;
import org.wormhole.mailertable.Route;
import org.wormhole.relay.delivery.DeliveryAgent;
import org.wormhole.relay.delivery.DeliveryRequest;
import org.wormhole.relay.delivery.DeliveryResult;
import org.wormhole.relay.delivery.RecipientOutcome;
import org.wormhole.relay.queue.BodyFlag;
import org.wormhole.relay.queue.QueuedMessage;
import org.wormhole.relay.queue.RecipientState;

/**
 * The {@code tsmtp} mailer: hands the message to the link to a peer site and reports each
 * recipient as the peer's RESULT says. A recipient is delivered only once the peer has the
 * message on its own disk (custody transfer). While the link is down its mail is deferred with
 * {@code link to PEER down since T}; the relay flushes it the moment the link is back. It speaks
 * only the link: the {@code tsmtp} routes to a peer that still runs a classic MTA go to the
 * {@link ClassicPeers} agent instead (SMTP over pinned TLS).
 */
public final class TsmtpAgent implements DeliveryAgent {

    private final LinkGateway gateway;
    private final Duration timeout;

    /** @param timeout how long to wait for the peer's RESULT once the message is offered */
    public TsmtpAgent(LinkGateway gateway, Duration timeout) {
        this.gateway = gateway;
        this.timeout = timeout;
    }

    @Override
    public DeliveryResult deliver(DeliveryRequest req) {
        Route.Transport route = (Route.Transport) req.route();
        int n = req.recipients().size();
        String peer = gateway.peerFor(route.nexthop()).orElse(null);
        if (peer == null) {
            return DeliveryResult.all("none", n, RecipientOutcome.deferred("4.3.5",
                    "mailer tsmtp: no peer named " + route.nexthop() + " in the configuration"));
        }
        String relay = "link:" + peer;
        QueuedMessage m = req.message();
        int flags = BodyFlag.linkBits(m.flags());
        OutboundMessage out = new OutboundMessage(messageId(m, req.recipients()), m.sender(), req.addresses(), flags,
                req.content().size(), m.hops(), req.content()::open);
        long t0 = System.nanoTime();
        CompletableFuture<CustodyResult> pending;
        try {
            pending = gateway.offer(peer, out);
        } catch (LinkGateway.LinkDown down) {
            return DeliveryResult.all(relay, n, RecipientOutcome.deferred("4.4.1", down.getMessage()));
        }
        CustodyResult result;
        try {
            result = pending.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() instanceof IOException ? e.getCause() : e;
            return DeliveryResult.all(relay, n, RecipientOutcome.deferred("4.4.2", cause.getMessage()));
        } catch (TimeoutException e) {
            pending.cancel(true);
            return DeliveryResult.all(relay, n, RecipientOutcome.deferred("4.4.7",
                    "no answer from " + peer + " over the link within " + timeout.toSeconds() + " s"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return DeliveryResult.all(relay, n, RecipientOutcome.deferred("4.3.0", "relay shutting down"));
        }
        long t1 = System.nanoTime();
        List<RecipientOutcome> outcomes = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            RecipientReply r = i < result.replies().size() ? result.replies().get(i)
                    : new RecipientReply(451, "4.5.0", "the peer answered fewer recipients than offered");
            String text = r.code() + " " + r.status() + " " + r.text() + " (at " + peer
                    + (result.queueId().isEmpty() ? "" : ", queue id " + result.queueId()) + ")";
            outcomes.add(r.code() < 300 ? RecipientOutcome.sent(r.status(), text)
                    : r.code() < 500 ? RecipientOutcome.deferred(r.status(), text)
                    : RecipientOutcome.bounced(r.status(), text));
        }
        return new DeliveryResult(relay, 0, (t1 - t0) / 1_000_000, outcomes);
    }

    /**
     * Stable across resends of the same recipients: this site's queue id and the recipients'
     * indexes, e.g. {@code 1K820IHON00HPP.0.2}.
     */
    static String messageId(QueuedMessage m, List<RecipientState> recipients) {
        String indexes = recipients.stream().map(r -> Integer.toString(r.index())).collect(Collectors.joining("."));
        if (indexes.length() > 100) { // ids are at most 128 characters: many recipients are hashed
            try {
                byte[] h = MessageDigest.getInstance("SHA-256")
                        .digest(indexes.getBytes(StandardCharsets.US_ASCII));
                indexes = "h" + HexFormat.of().formatHex(h, 0, 16);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
        return m.id().value() + "." + indexes;
    }
}
