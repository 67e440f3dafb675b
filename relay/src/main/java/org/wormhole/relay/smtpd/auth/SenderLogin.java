package org.wormhole.relay.smtpd.auth;

import java.util.Locale;

/**
 * {@code submission_sender_login}: which envelope senders an authenticated user may use, as
 * Postfix's {@code reject_sender_login_mismatch} with {@code smtpd_sender_login_maps}.
 */
public enum SenderLogin {
    /** Only the addresses the users file lists for the user (and its login name, when that is an address). */
    STRICT,
    /** Any sender: the login only opens relaying. */
    ANY;

    /** From the configuration's word. */
    public static SenderLogin parse(String word) {
        return switch (word.strip().toLowerCase(Locale.ROOT)) {
            case "strict" -> STRICT;
            case "any" -> ANY;
            default -> throw new IllegalArgumentException("'" + word + "': expected strict or any");
        };
    }

    /** As written in the configuration. */
    public String keyword() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * True if {@code user} may send as {@code sender}. The null sender (empty) is always allowed:
     * it is what auto-replies and a client's own bounces use.
     */
    public boolean allows(SubmissionUser user, String sender) {
        return this == ANY || sender.isEmpty() || user.owns(sender);
    }
}
