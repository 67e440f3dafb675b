package org.wormhole.relay.delivery.smtp;

/** Whether and how a session uses TLS. */
public enum TlsMode {
    /** Never send STARTTLS, even when it is offered. */
    NONE,
    /**
     * Postfix's {@code smtp_tls_security_level = may}: use STARTTLS when the server offers it;
     * continue in plaintext when it is not offered or the server refuses the command. A TLS
     * handshake that fails is an error of the session ({@link StartTlsFailedException}), never a
     * silent fallback. Whether the certificate is verified depends on the socket factory; with
     * {@link OpportunisticTls#socketFactory()} it is not.
     */
    MAY,
    /**
     * STARTTLS is mandatory (Postfix's {@code encrypt}): a server that does not offer it, or
     * refuses it, ends the session with a {@link TlsFailedException} before any mail command; the
     * session never continues in plaintext. The socket factory decides which certificates are
     * accepted.
     */
    REQUIRE,
    /**
     * TLS from the first byte (SMTPS, RFC 8314, usually port 465; also what an stunnel in front of
     * a plain MTA speaks): the handshake comes before the greeting, STARTTLS is never sent. A
     * failed handshake is a {@link TlsFailedException}.
     */
    IMPLICIT;

    /** True for the modes that never send mail without TLS. */
    public boolean mandatory() {
        return this == REQUIRE || this == IMPLICIT;
    }
}
