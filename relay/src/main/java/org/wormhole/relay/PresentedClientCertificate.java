package org.wormhole.relay;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The smtpd's trust manager when it asks STARTTLS clients for a certificate: it takes whatever
 * a client presents, so that an MTA with a certificate of its own is served as one without, and
 * vouches for nothing. Only a certificate whose key a classic peer's pin names gives rights, and
 * that is matched after the handshake ({@code smtpd.policy.ClientCertificates}). Never used to
 * check a server.
 */
final class PresentedClientCertificate extends X509ExtendedTrustManager {

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {
        // identification only: see ClientCertificates
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
        // identification only: see ClientCertificates
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        // identification only: see ClientCertificates
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("the smtpd's trust manager never checks a server");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        throw new CertificateException("the smtpd's trust manager never checks a server");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        throw new CertificateException("the smtpd's trust manager never checks a server");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
    }
}
