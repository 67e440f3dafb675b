package org.wormhole.link;

import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Set;
import javax.net.ssl.X509TrustManager;

/**
 * Trusts a peer by its pinned public key and nothing else: no CA, no host name, no validity
 * period (a pin is the peer's identity, as an SSH host key; expiry is watched and warned about
 * separately, so an expired certificate never silently stops the mail). Used on both ends of a
 * link, so a client with no certificate or an unknown key is refused in the handshake, before a
 * single mail byte is read. A refusal is thrown as {@link KeyNotPinned}, the handshake's cause.
 */
public final class PinningTrustManager implements X509TrustManager {

    /** Called with the refused peer's pin, for the log. */
    @FunctionalInterface
    public interface RefusalListener {
        void refused(Pin offered, String why);
    }

    private final Set<Pin> pins;
    private final RefusalListener listener;

    public PinningTrustManager(Set<Pin> pins, RefusalListener listener) {
        this.pins = Set.copyOf(pins);
        this.listener = listener;
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        check(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        check(chain);
    }

    private void check(X509Certificate[] chain) throws CertificateException {
        if (chain == null || chain.length == 0) {
            listener.refused(null, "no certificate");
            throw new KeyNotPinned(null, "peer presented no certificate");
        }
        Pin offered = Pin.of(chain[0]);
        if (!pins.contains(offered)) {
            listener.refused(offered, "pin not configured");
            throw new KeyNotPinned(chain[0], "peer key " + offered + " is not pinned (pinned: " + List.copyOf(pins) + ")");
        }
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
    }
}
