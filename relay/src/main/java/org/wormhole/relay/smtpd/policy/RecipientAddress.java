package org.wormhole.relay.smtpd.policy;

/** What the syntax of a RCPT TO address says, before any relay decision. */
sealed interface RecipientAddress {

    /** The bare {@code postmaster} (any case), which RFC 5321 lets a client write without a domain. */
    record Postmaster() implements RecipientAddress {
    }

    /**
     * A well-formed {@code local@domain}.
     *
     * @param domain  in lower case without a trailing dot, e.g. {@code example.com}; for a domain
     *                literal, the literal with its brackets, e.g. {@code [192.0.2.1]}
     * @param literal true for an address literal ({@code [192.0.2.1]}, {@code [IPv6:2001:db8::1]})
     */
    record Mailbox(String domain, boolean literal) implements RecipientAddress {
    }

    /**
     * An address that names a second destination inside the first, the classic ways to abuse a
     * relay into relaying for others.
     *
     * @param trick {@code percent hack}, {@code bang path} or {@code source route}
     */
    record RoutingTrick(String trick) implements RecipientAddress {
    }

    /** A syntax error, with what is wrong, e.g. {@code empty domain}. */
    record Malformed(String reason) implements RecipientAddress {
    }
}
