package org.wormhole.relay.delivery.smtp;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The one place where Wormhole makes TLS that does NOT verify the server's certificate.
 *
 * <p>This is opportunistic encryption for mail to the outside world, as Postfix's
 * {@code smtp_tls_security_level = may} and most MTAs on the internet do it (RFC 7435): MX
 * records are not authenticated and most MX hosts' certificates do not name the MX host, so
 * verifying would only make delivery fail. It protects against passive eavesdropping only; an
 * active attacker can read and change the mail (he can also just strip STARTTLS). It must never
 * be used for the link between Wormhole relays, which pins the peer's key.
 */
public final class OpportunisticTls {

    private static final SSLSocketFactory FACTORY = build();

    private OpportunisticTls() {
    }

    /**
     * A factory whose sockets accept any server certificate. {@link SmtpConnection} enables only
     * TLSv1.2 and TLSv1.3 on them. Thread-safe, shared.
     */
    public static SSLSocketFactory socketFactory() {
        return FACTORY;
    }

    private static SSLSocketFactory build() {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {new AcceptAnyServerCertificate()}, null);
            return context.getSocketFactory();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no TLS in this JRE", e);
        }
    }

    /** Accepts every server certificate: see the class comment for why and where. */
    private static final class AcceptAnyServerCertificate extends X509ExtendedTrustManager {

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            throw new CertificateException("client side only");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            throw new CertificateException("client side only");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("client side only");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
