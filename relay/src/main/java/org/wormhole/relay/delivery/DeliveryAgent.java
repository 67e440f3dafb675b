package org.wormhole.relay.delivery;

/**
 * Delivers one request (Postfix's delivery agents: smtp, lmtp, error, discard). An agent never
 * decides what happens next: it reports an outcome per recipient and the queue manager
 * schedules retries, bounces and removal.
 *
 * <p>Implementations are thread-safe: the queue manager calls them from many threads.
 */
public interface DeliveryAgent {

    /**
     * Attempts delivery. Never throws for a delivery problem: a failure to connect, a timeout or
     * an unexpected reply becomes a deferred (4xx) or bounced (5xx) outcome. An agent that talks
     * to a next hop reports the outcomes to {@link DeliveryRequest#outcomesKnown} as soon as the
     * next hop has answered, before anything else, and then returns the same result.
     */
    DeliveryResult deliver(DeliveryRequest request);
}
