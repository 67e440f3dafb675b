package org.wormhole.relay.metrics;

import java.util.Locale;
import org.wormhole.relay.events.SessionRefused;

/**
 * Why smtpd refused a client, a session, a recipient or a message: the {@code reason} label of
 * {@code wormhole_smtpd_rejections_total}, a fixed set.
 */
enum SmtpRejection {
    /** RCPT to a domain this client may not relay to (554 5.7.1). */
    RELAY_DENIED,
    /** Any other refused RCPT: a malformed address, a source route (553 5.1.3). */
    BAD_RECIPIENT,
    /** A message over message_size_limit (552 5.3.4). */
    SIZE,
    /** A bare CR or LF in the content (550 5.6.0): the shape of an SMTP smuggling attempt. */
    SMUGGLING,
    /** Other content refused after DATA: a NUL, a line over smtpd_line_length_limit (550 5.6.0). */
    CONTENT,
    /** A client over smtpd_client_connection_rate_limit (421 4.7.0). */
    RATE,
    /** A client over smtpd_client_connection_count_limit (421 4.7.0). */
    CONNECTION_COUNT,
    /** A client that talked before the greeting (554 5.5.1). */
    PREGREET,
    /** A session refused while the relay stops (421 4.3.2). */
    SHUTTING_DOWN,
    /** A wrong user name or password in AUTH on the submission listener (535 5.7.8). */
    AUTH_FAILED;

    String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    static SmtpRejection of(SessionRefused.Reason reason) {
        return switch (reason) {
            case CONNECTION_COUNT -> CONNECTION_COUNT;
            case CONNECTION_RATE -> RATE;
            case PREGREET -> PREGREET;
            case SHUTTING_DOWN, CLOSED_DURING_PREGREET -> SHUTTING_DOWN;
        };
    }

    /** A refused RCPT, by its enhanced status code. */
    static SmtpRejection ofRecipient(String enhancedStatus) {
        return "5.7.1".equals(enhancedStatus) ? RELAY_DENIED : BAD_RECIPIENT;
    }

    /** Content refused after DATA, by the reply the client got ({@code 552 5.3.4 ...}, {@code 550 5.6.0 ...}). */
    static SmtpRejection ofContent(String reply) {
        if (reply.startsWith("552 5.3.4")) {
            return SIZE;
        }
        return reply.contains("bare CR or LF") ? SMUGGLING : CONTENT;
    }
}
