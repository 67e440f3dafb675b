package org.wormhole.relay.link;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.Set;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import org.wormhole.link.Pin;
import org.wormhole.link.PinningTrustManager;
import org.wormhole.link.SiteIdentity;

/**
 * TLS to a peer site that still runs a classic MTA (behind stunnel, or its own SMTPS or STARTTLS):
 * trusted by its pinned key exactly as a link peer is ({@link PinningTrustManager}: no CA, no host
 * name, no validity period), and this site's certificate presented as the client certificate so
 * the peer's terminator can check it in turn. Unlike the link it allows TLSv1.2 as well as
 * TLSv1.3 ({@code SmtpConnection} enables no other), since classic terminators may not have 1.3.
 */
final class ClassicPeerTls {

    private ClassicPeerTls() {
    }

    /** A socket factory whose handshakes accept only a server key in {@code pins}. */
    static SSLSocketFactory socketFactory(SiteIdentity self, Set<Pin> pins, PinningTrustManager.RefusalListener refusals)
            throws GeneralSecurityException {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try {
            ks.load(null, null);
        } catch (IOException e) {
            throw new GeneralSecurityException(e);
        }
        char[] none = new char[0];
        ks.setKeyEntry("site", self.privateKey(), none, new Certificate[] {self.certificate()});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, none);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf.getKeyManagers(), new TrustManager[] {new PinningTrustManager(pins, refusals)}, null);
        return context.getSocketFactory();
    }
}
