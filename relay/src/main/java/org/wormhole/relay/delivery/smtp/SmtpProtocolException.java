package org.wormhole.relay.delivery.smtp;

/**
 * The server refused the session (greeting, EHLO/HELO/LHLO) or broke the protocol (a malformed or
 * oversized reply, data injected after the STARTTLS reply). The session is unusable afterwards.
 * For delivery this means: try the next server, or defer; a 5xx greeting from every server of a
 * destination is the caller's reason to bounce.
 */
public class SmtpProtocolException extends Exception {

    private static final long serialVersionUID = 1L;

    private final transient SmtpReply reply;

    public SmtpProtocolException(String message, SmtpReply reply) {
        super(reply == null ? message : message + ": " + reply);
        this.reply = reply;
    }

    /** The server's reply that ended the session, or null for a protocol violation. */
    public SmtpReply reply() {
        return reply;
    }
}
