package org.wormhole.relay.events;

/**
 * An SMTP session refused before any transaction: the client got {@code reply} instead of the
 * greeting, and was disconnected. Reported for every refusal, also those the log summarises
 * ({@code ... N more refused since the last report}).
 *
 * @param address the client's IP address, e.g. {@code 192.0.2.1} (its name is not looked up for a
 *                refused session)
 * @param reason  why, a bounded label for counting refusals
 * @param reply   the reply the client got, e.g. {@code 421 4.7.0 Error: too many connections from 192.0.2.1}
 */
public record SessionRefused(String address, Reason reason, String reply) {

    /** Why a session was refused. */
    public enum Reason {
        /** The client has {@code smtpd_client_connection_count_limit} sessions open already. */
        CONNECTION_COUNT,
        /** The client opened more than {@code smtpd_client_connection_rate_limit} connections this time unit. */
        CONNECTION_RATE,
        /** The client talked before the greeting ({@code smtpd_pregreet_wait}). */
        PREGREET,
        /** The relay is stopping. */
        SHUTTING_DOWN,
        /**
         * The client's connection could not be checked during the pregreet wait ({@code smtpd_pregreet_wait}):
         * the relay closed it meanwhile, as a stop closes every session. The client does not get the
         * reply ({@code 421 4.3.0}), its connection is closed already. A client that resets its own
         * connection during the wait is not this: the check sees no error, and the session ends as a
         * lost connection (or is refused for {@link #PREGREET} if the client talked first).
         */
        CLOSED_DURING_PREGREET
    }
}
