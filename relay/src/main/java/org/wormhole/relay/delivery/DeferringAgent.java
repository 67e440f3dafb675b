package org.wormhole.relay.delivery;

/**
 * Defers every recipient with a fixed reason: for mailers this relay cannot use (yet), so
 * their mail waits in the queue with a clear reason instead of bouncing.
 */
public final class DeferringAgent implements DeliveryAgent {

    private final String dsn;
    private final String reason;

    public DeferringAgent(String dsn, String reason) {
        this.dsn = dsn;
        this.reason = reason;
    }

    @Override
    public DeliveryResult deliver(DeliveryRequest request) {
        return DeliveryResult.all("none", request.recipients().size(), RecipientOutcome.deferred(dsn, reason));
    }
}
