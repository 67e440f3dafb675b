package org.wormhole.relay.events;

import org.wormhole.relay.delivery.RecipientOutcome;
import org.wormhole.relay.queue.QueueId;

/**
 * One recipient's outcome of one delivery attempt, recorded in its queue file just before this
 * is reported: the facts of Postfix's {@code to=<...>, relay=..., delay=..., status=...} line.
 *
 * @param id             the message's queue id
 * @param recipient      the recipient as queued
 * @param sentTo         the address the next hop was given (the mailertable may rewrite it)
 * @param mailer         the mailer of its route ({@code esmtp}, {@code tsmtp}, {@code lmtp}...;
 *                       {@code none} when it was not routed), a bounded label
 * @param relay          the next hop that answered, {@code host[ip]:port}, or {@code none}
 * @param arrivalMillis  when the message was queued
 * @param startMillis    when this attempt began
 * @param doneMillis     when this recipient's outcome was known
 * @param setupMillis    connection set-up (DNS, TCP, greeting, EHLO, TLS)
 * @param transmitMillis the transaction itself
 * @param outcome        sent, deferred or bounced, with its status code and the reply
 */
public record RecipientAttempted(QueueId id, String recipient, String sentTo, String mailer, String relay,
                                 long arrivalMillis, long startMillis, long doneMillis, long setupMillis,
                                 long transmitMillis, RecipientOutcome outcome) {

    /** Seconds from arrival to this outcome (Postfix's {@code delay=}). */
    public double delaySeconds() {
        return (doneMillis - arrivalMillis) / 1000.0;
    }
}
