package org.wormhole.testing;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A self-signed EC P-256 certificate for one host name (subject CN and DNS subject alternative
 * name), valid for two days, made in memory with Bouncy Castle: the one certificate maker of every
 * module's tests. It gives the TLS contexts a test needs and, for a relay's
 * {@code smtpd_tls_cert_file} / {@code smtpd_tls_key_file}, PEM files.
 */
public final class TestCertificate {

    private static final Duration VALIDITY = Duration.ofDays(2);

    private final PrivateKey privateKey;
    private final X509Certificate certificate;

    private TestCertificate(PrivateKey privateKey, X509Certificate certificate) {
        this.privateKey = privateKey;
        this.certificate = certificate;
    }

    /** A new key pair and a certificate naming {@code hostname}. */
    public static TestCertificate forHost(String hostname) throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
        KeyPair kp = g.generateKeyPair();
        Instant now = Instant.now();
        X500Name subject = new X500Name("CN=" + hostname);
        JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject,
                new BigInteger(64, new SecureRandom()).add(BigInteger.ONE),
                Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(VALIDITY)), subject, kp.getPublic());
        try {
            builder.addExtension(Extension.subjectAlternativeName, false,
                    new GeneralNames(new GeneralName(GeneralName.dNSName, hostname)));
            X509Certificate cert = new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate())));
            return new TestCertificate(kp.getPrivate(), cert);
        } catch (IOException | OperatorCreationException e) {
            throw new GeneralSecurityException("cannot make a test certificate for " + hostname, e);
        }
    }

    public X509Certificate certificate() {
        return certificate;
    }

    public PrivateKey privateKey() {
        return privateKey;
    }

    /** The certificate and its key as PEM files in {@code dir}: {@code site.crt} and {@code site.key} (PKCS#8). */
    public PemFiles writePem(Path dir) throws IOException, GeneralSecurityException {
        Path certFile = Files.writeString(dir.resolve("site.crt"), pem("CERTIFICATE", certificate.getEncoded()));
        Path keyFile = Files.writeString(dir.resolve("site.key"), pem("PRIVATE KEY", privateKey.getEncoded()));
        return new PemFiles(certFile, keyFile);
    }

    /** Where {@link #writePem} put the certificate and the key. */
    public record PemFiles(Path certFile, Path keyFile) {
    }

    /** For a server: presents this certificate. */
    public SSLContext serverContext() throws GeneralSecurityException {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keyManagers(privateKey, certificate), null, null);
        return context;
    }

    /** A verifying client that trusts exactly this certificate and nothing else (no trust-all). */
    public SSLSocketFactory clientTrustingOnlyThis() throws GeneralSecurityException, IOException {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("trusted", certificate);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        return context.getSocketFactory();
    }

    /** A verifying client with the JDK's default trust anchors, which include no test certificate. */
    public static SSLSocketFactory clientWithDefaultTrust() {
        return (SSLSocketFactory) SSLSocketFactory.getDefault();
    }

    /** Key managers that present {@code certificate} with {@code key}: for a TLS context of either side. */
    public static KeyManager[] keyManagers(PrivateKey key, X509Certificate certificate) throws GeneralSecurityException {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try {
            ks.load(null, null);
        } catch (IOException e) {
            throw new GeneralSecurityException("cannot make an empty key store", e);
        }
        ks.setKeyEntry("key", key, new char[0], new Certificate[] {certificate});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, new char[0]);
        return kmf.getKeyManagers();
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der) + "\n-----END " + type + "-----\n";
    }
}
