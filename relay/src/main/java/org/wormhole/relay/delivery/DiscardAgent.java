package org.wormhole.relay.delivery;

/** The {@code discard} mailer: the recipients count as delivered and nothing is sent. */
public final class DiscardAgent implements DeliveryAgent {

    @Override
    public DeliveryResult deliver(DeliveryRequest request) {
        return DeliveryResult.all("none", request.recipients().size(),
                RecipientOutcome.sent("2.0.0", "discarded by mailertable"));
    }
}
