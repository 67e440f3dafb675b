package org.wormhole.relay.events;

import org.wormhole.relay.queue.QueueId;

/**
 * A message's content refused after DATA: the client got {@code reply}, nothing was queued.
 *
 * @param id     the queue id its file had while it was being received
 * @param client the client as the log shows it: {@code name[address]}
 * @param sender the envelope sender, empty for the null sender
 * @param reply  the reply the client got, e.g. {@code 550 5.6.0 Message contains bare CR or LF}
 */
public record MessageRefused(QueueId id, String client, String sender, String reply) {

    /** The enhanced status code of the reply ({@code 5.6.0}), a bounded label for counting refusals. */
    public String enhancedStatus() {
        String[] words = reply.split(" ", 3);
        return words.length > 1 && words[1].matches("[245]\\.\\d{1,3}\\.\\d{1,3}") ? words[1] : "";
    }
}
