package org.wormhole.relay.delivery.smtp;

import java.io.IOException;

/**
 * The TLS a session needed did not come about: the handshake failed (an unacceptable certificate
 * or key, no common protocol, a broken peer), or TLS is mandatory ({@link TlsMode#REQUIRE}) and
 * the server does not offer or refuses STARTTLS. The connection is closed; no mail command was
 * sent. The caller defers ({@code 4.7.4} when TLS was not offered, {@code 4.7.5} when the
 * handshake failed), or tries another server.
 */
public class TlsFailedException extends IOException {

    private static final long serialVersionUID = 1L;

    private final boolean offered;

    /**
     * @param offered false when the server did not offer TLS at all (no or refused STARTTLS),
     *                true when a handshake was attempted and failed
     */
    public TlsFailedException(String message, boolean offered, Throwable cause) {
        super(message, cause);
        this.offered = offered;
    }

    /** False when the server did not offer TLS at all; true when a handshake failed. */
    public boolean offered() {
        return offered;
    }
}
