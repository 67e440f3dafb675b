package org.wormhole.relay.delivery;

import org.wormhole.mailertable.ErrorReply;
import org.wormhole.mailertable.Route;

/** The {@code error} mailer: every recipient gets the table's reply, a bounce for 5xx, a deferral for 4xx. */
public final class ErrorAgent implements DeliveryAgent {

    @Override
    public DeliveryResult deliver(DeliveryRequest request) {
        ErrorReply reply = ((Route.Reject) request.route()).reply();
        RecipientOutcome o = reply.temporary()
                ? RecipientOutcome.deferred(reply.enhancedStatus(), reply.toString())
                : RecipientOutcome.bounced(reply.enhancedStatus(), reply.toString());
        return DeliveryResult.all("none", request.recipients().size(), o);
    }
}
