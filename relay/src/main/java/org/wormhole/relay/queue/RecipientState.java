package org.wormhole.relay.queue;

/**
 * One recipient of a queued message and its delivery state.
 *
 * @param index             position in the envelope (RCPT order)
 * @param address           the recipient as given in RCPT TO
 * @param status            pending, sent or bounced
 * @param attempts          delivery attempts so far
 * @param nextAttemptMillis when a pending recipient is due (epoch ms)
 * @param lastAttemptMillis when it was last tried (epoch ms), 0 if never
 * @param lastError         the reason of the last failure, empty if none
 */
public record RecipientState(int index, String address, RecipientStatus status, int attempts,
                             long nextAttemptMillis, long lastAttemptMillis, String lastError) {

    /** A recipient as it enters the queue: pending, due at arrival. */
    static RecipientState fresh(int index, String address, long arrivalMillis) {
        return new RecipientState(index, address, RecipientStatus.PENDING, 0, arrivalMillis, 0, "");
    }

    public RecipientState sent(long nowMillis) {
        return new RecipientState(index, address, RecipientStatus.SENT, attempts + 1, 0, nowMillis, "");
    }

    public RecipientState bounced(long nowMillis, String reason) {
        return new RecipientState(index, address, RecipientStatus.BOUNCED, attempts + 1, 0, nowMillis, reason);
    }

    public RecipientState deferred(long nowMillis, long nextMillis, String reason) {
        return new RecipientState(index, address, RecipientStatus.PENDING, attempts + 1, nextMillis, nowMillis, reason);
    }

    /** Due now again (a flush, a release, a link that came back), keeping its history. */
    public RecipientState dueAt(long millis) {
        return new RecipientState(index, address, status, attempts, millis, lastAttemptMillis, lastError);
    }
}
