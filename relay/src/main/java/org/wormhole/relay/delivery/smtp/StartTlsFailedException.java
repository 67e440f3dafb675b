package org.wormhole.relay.delivery.smtp;

/**
 * The server accepted STARTTLS but no TLS session came of it (the handshake failed: no common
 * protocol or cipher, a certificate the socket factory rejected, a broken peer). The connection is
 * closed; nothing was sent in plaintext after STARTTLS. The caller defers, or tries another server.
 */
public class StartTlsFailedException extends TlsFailedException {

    private static final long serialVersionUID = 1L;

    public StartTlsFailedException(String remote, String reason, Throwable cause) {
        super("TLS handshake with " + remote + " failed after STARTTLS: " + reason, true, cause);
    }
}
