package org.wormhole.relay;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Base64;
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
        if (!belongTogether(key, chain.get(0))) {
            throw new IOException(keyFile.get() + ": this key does not belong to the certificate in " + certFile.get()
                    + " (a renewal half written? put the key and the certificate in place together)");
        }
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

    /**
     * Whether {@code key} is the private key of {@code certificate}'s public key: a signature made
     * with it verifies with the certificate. True for a key type this does not know how to test.
     */
    static boolean belongTogether(PrivateKey key, X509Certificate certificate) throws IOException {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "Ed448", "EdDSA" -> key.getAlgorithm();
            default -> null;
        };
        if (algorithm == null) {
            return true;
        }
        try {
            byte[] challenge = "wormhole smtpd key check".getBytes(StandardCharsets.US_ASCII);
            Signature sign = Signature.getInstance(algorithm);
            sign.initSign(key);
            sign.update(challenge);
            byte[] signature = sign.sign();
            Signature verify = Signature.getInstance(algorithm);
            verify.initVerify(certificate.getPublicKey());
            verify.update(challenge);
            return verify.verify(signature);
        } catch (java.security.InvalidKeyException | java.security.SignatureException e) {
            return false; // e.g. an EC key with an RSA certificate
        } catch (GeneralSecurityException e) {
            throw new IOException("smtpd TLS key check failed: " + e.getMessage(), e);
        }
    }

    /**
     * The SHA-256 of the first certificate in {@code certFile} ({@code sha256/BASE64}, as the
     * pins are written): what a reload compares to see whether the served certificate changed.
     */
    static String certificateFingerprint(Path certFile) throws IOException {
        List<X509Certificate> chain = PemFile.read(certFile).certificates();
        if (chain.isEmpty()) {
            throw new IOException(certFile + ": no certificate in it");
        }
        try {
            return "sha256/" + Base64.getEncoder().encodeToString(
                    MessageDigest.getInstance("SHA-256").digest(chain.get(0).getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IOException(certFile + ": " + e.getMessage(), e);
        }
    }
}
