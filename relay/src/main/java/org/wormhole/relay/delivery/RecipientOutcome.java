package org.wormhole.relay.delivery;

/**
 * What became of one recipient in one attempt.
 *
 * @param status what the queue manager does next
 * @param dsn    the RFC 3463 status, e.g. {@code 2.0.0}, {@code 4.4.1}, {@code 5.1.1}
 * @param text   the reply or reason, as it appears in the log and in bounces
 */
public record RecipientOutcome(Status status, String dsn, String text) {

    /** Delivered, deferred (retry later) or bounced (give up and tell the sender). */
    public enum Status { SENT, DEFERRED, BOUNCED }

    public static RecipientOutcome sent(String dsn, String text) {
        return new RecipientOutcome(Status.SENT, dsn, text);
    }

    public static RecipientOutcome deferred(String dsn, String text) {
        return new RecipientOutcome(Status.DEFERRED, dsn, text);
    }

    public static RecipientOutcome bounced(String dsn, String text) {
        return new RecipientOutcome(Status.BOUNCED, dsn, text);
    }
}
