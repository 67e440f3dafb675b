package org.wormhole.relay;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import org.wormhole.link.PemFile;

/**
 * The STARTTLS identity of the SMTP listener, from PEM files (certificate chain; private key,
 * PKCS#8 or traditional RSA/EC). Both may name one combined file, key first, as stunnel keeps it.
 */
final class TlsFiles {

    private TlsFiles() {
    }

    static Optional<SSLContext> serverContext(Optional<Path> certFile, Optional<Path> keyFile) throws IOException {
        return serverContext(certFile, keyFile, false);
    }

    /**
     * As above; {@code askClientCertificates}: a client's certificate, when it presents one, is
     * taken whatever it is ({@link PresentedClientCertificate}), to be matched against the classic
     * peers' pins.
     */
    static Optional<SSLContext> serverContext(Optional<Path> certFile, Optional<Path> keyFile, boolean askClientCertificates)
            throws IOException {
        if (certFile.isEmpty() || keyFile.isEmpty()) {
            return Optional.empty();
        }
        List<X509Certificate> chain = PemFile.read(certFile.get()).certificates();
        if (chain.isEmpty()) {
            throw new IOException(certFile.get() + ": no certificate in it");
        }
        PrivateKey key = PemFile.read(keyFile.get()).privateKey().orElseThrow(() -> new IOException(
                keyFile.get() + ": expected a PKCS#8 PEM key (-----BEGIN PRIVATE KEY-----)"));
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            char[] none = new char[0];
            ks.setKeyEntry("smtpd", key, none, chain.toArray(new Certificate[0]));
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, none);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), askClientCertificates ? new TrustManager[] {new PresentedClientCertificate()} : null,
                    null);
            return Optional.of(ctx);
        } catch (GeneralSecurityException e) {
            throw new IOException("smtpd TLS key or certificate unusable: " + e.getMessage(), e);
        }
    }
}
