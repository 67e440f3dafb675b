package org.wormhole.link;

import java.util.List;

/**
 * The receiving site's answer to one offered message (PROTOCOL.md, RESULT): one reply per
 * recipient, in the order offered. With a 2xx reply custody has passed: the message is on the
 * receiving site's disk.
 *
 * @param messageId the sending site's id for the message
 * @param queueId   the receiving site's queue id for it, empty when it was not queued
 */
public record CustodyResult(String messageId, String queueId, List<RecipientReply> replies) {
    public CustodyResult {
        replies = List.copyOf(replies);
    }
}
