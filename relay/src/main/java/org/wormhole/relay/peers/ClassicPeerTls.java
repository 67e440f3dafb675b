package org.wormhole.relay.peers;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Set;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedKeyManager;
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
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(new KeyManager[] {new SiteCertificateAlways(self)},
                new TrustManager[] {new PinningTrustManager(pins, refusals)}, null);
        return context.getSocketFactory();
    }

    /**
     * Presents the site certificate whenever the server asks for a client certificate, whatever
     * issuers it names: a classic terminator lists the certificates in its CAfile, and the JDK's
     * default key manager would send none when this self-signed one is not among them (stunnel
     * then logs "peer did not return a certificate"). With it, the server sees which key it
     * refuses.
     */
    private static final class SiteCertificateAlways extends X509ExtendedKeyManager {

        private static final String ALIAS = "site";

        private final SiteIdentity self;

        SiteCertificateAlways(SiteIdentity self) {
            this.self = self;
        }

        @Override
        public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
            return matches(keyTypes) ? ALIAS : null;
        }

        @Override
        public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
            return matches(keyTypes) ? ALIAS : null;
        }

        private boolean matches(String[] keyTypes) {
            String algorithm = self.privateKey().getAlgorithm(); // "EC"
            return keyTypes == null || Arrays.stream(keyTypes).anyMatch(t -> t.equals(algorithm) || t.startsWith(algorithm + "_"));
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return new String[] {ALIAS};
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return ALIAS.equals(alias) ? new X509Certificate[] {self.certificate()} : null;
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return ALIAS.equals(alias) ? self.privateKey() : null;
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return null;
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return null; // client side only
        }
    }
}
