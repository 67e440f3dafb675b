package org.wormhole.relay.delivery.smtp;

/** Whether a session uses STARTTLS. */
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
    MAY
}
