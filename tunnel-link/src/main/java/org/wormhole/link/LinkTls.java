package org.wormhole.link;

import java.io.IOException;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.Set;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;

/**
 * TLS for the link: TLS 1.3 only, both sides present their site certificate, each accepts only
 * the pinned keys of its configured peers (forward secrecy comes with TLS 1.3's key exchange).
 */
public final class LinkTls {

    private static final String[] PROTOCOLS = {"TLSv1.3"};

    private final SSLContext context;

    public LinkTls(SiteIdentity self, Set<Pin> peerPins, PinningTrustManager.RefusalListener refusals)
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
        context = SSLContext.getInstance("TLSv1.3");
        context.init(kmf.getKeyManagers(), new TrustManager[] {new PinningTrustManager(peerPins, refusals)}, null);
    }

    /** A listening socket that requires a pinned client certificate. */
    public SSLServerSocket serverSocket() throws IOException {
        SSLServerSocket s = (SSLServerSocket) context.getServerSocketFactory().createServerSocket();
        s.setEnabledProtocols(PROTOCOLS);
        s.setNeedClientAuth(true);
        return s;
    }

    /** Wraps an accepted plain socket as the server side of a link. */
    public SSLSocket serverSide(Socket plain) throws IOException {
        SSLSocket s = (SSLSocket) context.getSocketFactory().createSocket(plain, null, plain.getPort(), true);
        s.setUseClientMode(false);
        s.setEnabledProtocols(PROTOCOLS);
        s.setNeedClientAuth(true);
        return s;
    }

    /** Wraps a connected plain socket as the client side of a link to {@code peerHost}. */
    public SSLSocket clientSide(Socket plain, String peerHost) throws IOException {
        SSLSocket s = (SSLSocket) context.getSocketFactory().createSocket(plain, peerHost, plain.getPort(), true);
        s.setUseClientMode(true);
        s.setEnabledProtocols(PROTOCOLS);
        return s;
    }

    /** An engine for non-blocking use, with the same rules. */
    public SSLEngine engine(boolean client) {
        SSLEngine e = context.createSSLEngine();
        e.setUseClientMode(client);
        SSLParameters p = e.getSSLParameters();
        p.setProtocols(PROTOCOLS);
        if (!client) {
            p.setNeedClientAuth(true);
        }
        e.setSSLParameters(p);
        return e;
    }
}
