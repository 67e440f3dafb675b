package org.wormhole.relay.delivery;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.wormhole.mailertable.Route;
import org.wormhole.relay.delivery.smtp.MessageContent;
import org.wormhole.relay.delivery.smtp.OutboundEnvelope;
import org.wormhole.relay.delivery.smtp.SmtpClientOptions;
import org.wormhole.relay.delivery.smtp.SmtpConnection;
import org.wormhole.relay.delivery.smtp.SmtpProtocolException;
import org.wormhole.relay.delivery.smtp.SmtpReply;
import org.wormhole.relay.delivery.smtp.TlsFailedException;
import org.wormhole.relay.delivery.smtp.TransactionResult;
import org.wormhole.relay.queue.BodyFlag;
import org.wormhole.relay.queue.QueuedMessage;

/**
 * The {@code esmtp}/{@code smtp}/{@code smtp8}/{@code relay} and {@code lmtp} mailers (Postfix's
 * smtp and lmtp delivery agents): resolves the nexthop, tries its servers in order until one
 * takes the transaction, and relays the request's content exactly. Idle connections are reused for
 * the next message to the same server. Thread-safe.
 */
public final class SmtpDeliveryAgent implements DeliveryAgent, AutoCloseable {

    private final NexthopResolver resolver;
    private final SmtpClientOptions options;
    private final int defaultPort;
    private final ConnectionCache cache;

    /** An agent that keeps up to 4 idle connections a server. */
    public SmtpDeliveryAgent(NexthopResolver resolver, SmtpClientOptions options, int defaultPort) {
        this(resolver, options, defaultPort, 4);
    }

    /**
     * @param idlePerServer idle connections kept for reuse per server: as many as deliveries to
     *                      one destination may run at once, so that a burst at that concurrency
     *                      reuses its connections instead of ending one (QUIT, in the background)
     *                      and opening another for almost every message
     */
    public SmtpDeliveryAgent(NexthopResolver resolver, SmtpClientOptions options, int defaultPort, int idlePerServer) {
        this.resolver = resolver;
        this.options = options;
        this.defaultPort = defaultPort;
        this.cache = new ConnectionCache(5_000, idlePerServer);
    }

    @Override
    public DeliveryResult deliver(DeliveryRequest req) {
        Route.Transport route = (Route.Transport) req.route();
        int n = req.recipients().size();
        long t0 = System.nanoTime();
        List<NexthopResolver.Target> targets;
        try {
            targets = resolver.resolve(route.nexthop(), defaultPort);
        } catch (NexthopResolver.ResolveFailure f) {
            RecipientOutcome o = f.temporary()
                    ? RecipientOutcome.deferred(f.dsn(), f.getMessage())
                    : RecipientOutcome.bounced(f.dsn(), f.getMessage());
            return DeliveryResult.all("none", n, o);
        }
        QueuedMessage m = req.message();
        OutboundEnvelope envelope = new OutboundEnvelope(m.sender(), req.addresses(), m.flags().contains(BodyFlag.EIGHT_BIT_MIME),
                m.flags().contains(BodyFlag.SMTPUTF8));
        MessageContent content = req.content();
        String lastError = "no server for " + route.nexthop();
        String lastDsn = "4.4.1";
        String lastRelay = "none";
        for (NexthopResolver.Target target : targets) {
            String server = target.describe();
            SmtpConnection cached = cache.take(server);
            if (cached != null) {
                // An idle connection the server may have closed meanwhile: if it fails, the
                // message goes over a fresh connection now rather than waiting for a retry.
                DeliveryResult r = transact(cached, server, envelope, content, n, t0, true, req.outcomesKnown());
                if (r != null) {
                    return r;
                }
            }
            SmtpConnection c;
            try {
                c = SmtpConnection.open(target.host(), target.address(), options);
            } catch (TlsFailedException e) { // a failed handshake, or TLS mandatory and not offered: never plaintext
                lastError = e.getMessage();
                lastDsn = e.offered() ? "4.7.5" : "4.7.4";
                lastRelay = server;
                continue;
            } catch (SmtpProtocolException e) {
                SmtpReply r = e.reply();
                lastError = "host " + server + " refused to talk to me: " + (r != null ? r : e.getMessage());
                lastDsn = "4.4.0";
                lastRelay = server;
                continue;
            } catch (IOException e) {
                lastError = "connect to " + server + ": " + e.getMessage();
                lastDsn = "4.4.1";
                lastRelay = server;
                continue;
            }
            return transact(c, server, envelope, content, n, t0, false, req.outcomesKnown());
        }
        // No server took the transaction (as Postfix, even 5xx greetings only defer: try later).
        RecipientOutcome o = RecipientOutcome.deferred(lastDsn, lastError);
        return new DeliveryResult(lastRelay, millis(System.nanoTime() - t0), 0, Collections.nCopies(n, o));
    }

    /**
     * One transaction on {@code c}. A connection taken from the cache that fails returns null (the
     * caller opens a fresh one); a fresh connection that fails defers every recipient.
     */
    private DeliveryResult transact(SmtpConnection c, String server, OutboundEnvelope envelope, MessageContent content,
                                    int n, long t0, boolean fromCache, DeliveryRequest.OutcomesKnown known) {
        long t1 = System.nanoTime();
        try {
            TransactionResult result = c.send(envelope, content);
            long t2 = System.nanoTime();
            List<RecipientOutcome> outcomes = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                outcomes.add(outcome(result.reply(i), server));
            }
            DeliveryResult delivered = new DeliveryResult(server, millis(t1 - t0), millis(t2 - t1), outcomes);
            known.known(delivered); // recorded now: the connection can wait, a crash would send it again
            if (result.recipientReplies().stream().allMatch(SmtpReply::positive)) {
                cache.put(server, c); // reuse only after a clean transaction: no server state to doubt
            } else {
                cache.retire(c); // QUIT in the background
            }
            return delivered;
        } catch (IOException e) {
            c.close();
            return fromCache ? null : DeliveryResult.all(server, n, RecipientOutcome.deferred("4.4.2",
                    "lost connection with " + server + " while sending message: " + e.getMessage()));
        } catch (SmtpProtocolException e) {
            c.close();
            return fromCache ? null : DeliveryResult.all(server, n, RecipientOutcome.deferred("4.5.0",
                    "protocol error with " + server + ": " + e.getMessage()));
        }
    }

    private static RecipientOutcome outcome(SmtpReply r, String server) {
        if (r.positive()) {
            return RecipientOutcome.sent(dsnOf(r), r.toString());
        }
        String text = "host " + server + " said: " + r;
        return r.permanentFailure() ? RecipientOutcome.bounced(dsnOf(r), text) : RecipientOutcome.deferred(dsnOf(r), text);
    }

    private static String dsnOf(SmtpReply r) {
        if (r.enhancedStatus() != null && !r.enhancedStatus().isEmpty()) {
            return r.enhancedStatus();
        }
        return (r.code() / 100) + ".0.0";
    }

    private static long millis(long nanos) {
        return nanos / 1_000_000;
    }

    @Override
    public void close() {
        cache.close();
    }
}
