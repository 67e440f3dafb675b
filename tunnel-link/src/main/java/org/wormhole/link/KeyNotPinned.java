package org.wormhole.link;

import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;

/**
 * This side refused the peer's key in the TLS handshake: it is not among the pins (or the peer
 * presented no certificate). Thrown by {@link PinningTrustManager}; the handshake fails with it as
 * its cause, and the peer receives a TLS alert.
 */
public final class KeyNotPinned extends CertificateException {

    private final transient X509Certificate offered;

    KeyNotPinned(X509Certificate offered, String message) {
        super(message);
        this.offered = offered;
    }

    /** The certificate the peer presented, or null if none. */
    public X509Certificate offered() {
        return offered;
    }

    /** The pin of the key the peer presented, or null if none. */
    public Pin pin() {
        return offered == null ? null : Pin.of(offered);
    }
}
