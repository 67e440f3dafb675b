package org.wormhole.relay.delivery;

import java.util.List;
import org.wormhole.mailertable.Route;
import org.wormhole.relay.delivery.smtp.MessageContent;
import org.wormhole.relay.queue.QueuedMessage;
import org.wormhole.relay.queue.RecipientState;

/**
 * One delivery attempt, as the queue manager hands it to a delivery agent: immutable.
 *
 * @param message    the queued message (its envelope)
 * @param content    the message's content, exactly as queued; the queue manager has checked it
 *                   against its checksum before the attempt. The agent opens it as often as it
 *                   sends it, and never goes to the spool itself
 * @param route      where the recipients go, from the mailertable (or MX delivery)
 * @param recipients the recipients sharing this route, in envelope order
 * @param addresses  the address to give the next hop for each recipient (rewritten by a
 *                   {@code mailer:user@host} entry, otherwise the recipient itself)
 * @param outcomesKnown told the outcomes the moment the next hop has answered for every
 *                   recipient, before the agent tidies up (connection reuse, QUIT): the queue
 *                   manager records them in the queue file there and then, so that the window in
 *                   which a crash would send a message again is as short as it can be
 */
public record DeliveryRequest(QueuedMessage message, MessageContent content, Route route,
                              List<RecipientState> recipients, List<String> addresses, OutcomesKnown outcomesKnown) {

    /**
     * Where an agent reports its outcomes early. It is called at most once, on the agent's
     * thread, with the result the agent then returns; an agent that never calls it (or fails
     * before its outcomes are known) only returns them.
     */
    @FunctionalInterface
    public interface OutcomesKnown {
        /** Nobody listens: the outcomes count when the agent returns them. */
        OutcomesKnown NONE = result -> { };

        void known(DeliveryResult result);
    }

    public DeliveryRequest {
        if (recipients.size() != addresses.size()) {
            throw new IllegalArgumentException("one address per recipient");
        }
        recipients = List.copyOf(recipients);
        addresses = List.copyOf(addresses);
    }

    /** A request whose outcomes count only when the agent returns them. */
    public DeliveryRequest(QueuedMessage message, MessageContent content, Route route,
                           List<RecipientState> recipients, List<String> addresses) {
        this(message, content, route, recipients, addresses, OutcomesKnown.NONE);
    }
}
