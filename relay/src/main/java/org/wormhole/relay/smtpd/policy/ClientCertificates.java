package org.wormhole.relay.smtpd.policy;

import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.wormhole.link.Pin;

/**
 * The classic peers' key pins, as SMTP clients (Postfix's {@code permit_tls_clientcerts} with
 * {@code relay_clientcerts}): a site that still runs a classic MTA sends to this relay over
 * STARTTLS with a client certificate whose key is one of its peer's {@code pins}, and may then
 * relay as mynetworks may. Pure and immutable.
 *
 * @param peers the peer's name for each pin
 */
public record ClientCertificates(Map<Pin, String> peers) {

    /** No client is known by its certificate: none is asked for. */
    public static final ClientCertificates NONE = new ClientCertificates(Map.of());

    public ClientCertificates {
        peers = Map.copyOf(peers);
    }

    /** True if STARTTLS should ask clients for a certificate. */
    public boolean asked() {
        return !peers.isEmpty();
    }

    /** The peer whose pinned key signed the client certificate of {@code tls}, if any. */
    public Optional<String> peer(SSLSession tls) {
        if (peers.isEmpty()) {
            return Optional.empty();
        }
        Certificate[] chain;
        try {
            chain = tls.getPeerCertificates();
        } catch (SSLPeerUnverifiedException e) {
            return Optional.empty(); // the client presented none
        }
        if (chain.length == 0 || !(chain[0] instanceof X509Certificate leaf)) {
            return Optional.empty();
        }
        return Optional.ofNullable(peers.get(Pin.of(leaf)));
    }
}
