package org.wormhole.relay.events;

import org.wormhole.relay.queue.QueueId;

/**
 * A message accepted into the queue.
 *
 * @param id         its queue id
 * @param client     the client as the log shows it: {@code name[address]}
 * @param sender     the envelope sender, empty for the null sender
 * @param size       its content's size in octets, as queued (with our Received: header)
 * @param recipients how many recipients it has
 * @param messageId  its Message-ID header's value ({@code <...>}), empty if it has none
 * @param saslMethod   the AUTH mechanism of the client's login (PLAIN, LOGIN), empty without one
 * @param saslUsername the user it logged in as, empty without a login
 */
public record MessageQueued(QueueId id, String client, String sender, long size, int recipients, String messageId,
                            String saslMethod, String saslUsername) {

    /** A message from a client that did not authenticate. */
    public MessageQueued(QueueId id, String client, String sender, long size, int recipients, String messageId) {
        this(id, client, sender, size, recipients, messageId, "", "");
    }
}
