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
 */
public record DeliveryRequest(QueuedMessage message, MessageContent content, Route route,
                              List<RecipientState> recipients, List<String> addresses) {
    public DeliveryRequest {
        if (recipients.size() != addresses.size()) {
            throw new IllegalArgumentException("one address per recipient");
        }
        recipients = List.copyOf(recipients);
        addresses = List.copyOf(addresses);
    }
}
