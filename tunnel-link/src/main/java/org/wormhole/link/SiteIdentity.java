package org.wormhole.link;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Set;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A site's identity on the link: an EC P-256 key pair and a self-signed certificate carrying it
 * (no CA: peers trust each other by {@link Pin}). Files in the key directory:
 * {@code site.key} (PKCS#8 PEM, mode 0600) and {@code site.crt} (PEM).
 *
 * <p>EC P-256 because it works for TLS 1.3 mutual authentication on every JDK 17 provider and
 * with classic TLS terminators (stunnel, Postfix), which a site still running the classic setup
 * may use.
 */
public record SiteIdentity(PrivateKey privateKey, X509Certificate certificate) {

    public static final String KEY_FILE = "site.key";
    public static final String CERT_FILE = "site.crt";

    public Pin pin() {
        return Pin.of(certificate);
    }

    public Instant notAfter() {
        return certificate.getNotAfter().toInstant();
    }

    /**
     * Creates a new identity in {@code dir} (created mode 0700 if missing). Refuses to overwrite
     * an existing key: replacing a site's key is a rollover the peers must be told about.
     *
     * @param name     the site's name, put in the certificate's subject (informational)
     * @param validity how long the certificate is valid
     */
    public static SiteIdentity generate(Path dir, String name, Duration validity) throws IOException {
        Path keyFile = dir.resolve(KEY_FILE);
        if (Files.exists(keyFile) && !Files.exists(dir.resolve(CERT_FILE))) {
            throw new FileAlreadyExistsException(keyFile.toString(), null, keyWithoutCertificateAdvice());
        }
        if (Files.exists(keyFile)) {
            throw new FileAlreadyExistsException(keyFile.toString(), null,
                    "a site key exists; move it away first if you mean to replace it (and tell the peers the new pin)");
        }
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
            KeyPair kp = g.generateKeyPair();
            Instant now = Instant.now();
            X500Name subject = new X500Name("CN=" + name.replaceAll("[,=+<>#;\"\\\\]", "_"));
            JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(subject,
                    new BigInteger(64, new SecureRandom()).abs().add(BigInteger.ONE),
                    Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(validity)), subject, kp.getPublic());
            X509CertificateHolder holder = b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate()));
            X509Certificate cert = new JcaX509CertificateConverter().getCertificate(holder);
            writePrivate(keyFile, pem(new JcaPKCS8Generator(kp.getPrivate(), null).generate()));
            Files.writeString(dir.resolve(CERT_FILE), pem(cert), StandardCharsets.US_ASCII);
            return new SiteIdentity(kp.getPrivate(), cert);
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IOException("cannot create the site key: " + e.getMessage(), e);
        }
    }

    /**
     * What every command says of a key directory with {@code site.key} but no {@code site.crt}
     * (the relay at start, {@code keygen}, {@code fingerprint}): one message, one fix.
     */
    public static String keyWithoutCertificate(Path dir) {
        return dir.resolve(KEY_FILE) + ": " + keyWithoutCertificateAdvice();
    }

    private static String keyWithoutCertificateAdvice() {
        return "site key without its certificate " + CERT_FILE + "; restore " + CERT_FILE
                + " from a backup, or move " + KEY_FILE + " away and run 'wormhole keygen' (a new key: tell the peers"
                + " the new pin)";
    }

    /**
     * Loads the identity in {@code dir}; refuses a private key readable by others.
     *
     * @throws NoSuchFileException there is no site key in {@code dir}
     * @throws IOException                       anything else, with a message naming the file
     *                                           and the fix (see {@link #keyWithoutCertificate})
     */
    public static SiteIdentity load(Path dir) throws IOException {
        Path keyFile = dir.resolve(KEY_FILE);
        if (Files.exists(keyFile) && !Files.exists(dir.resolve(CERT_FILE))) {
            throw new IOException(keyWithoutCertificate(dir));
        }
        Set<PosixFilePermission> mode = Files.getPosixFilePermissions(keyFile);
        if (mode.contains(PosixFilePermission.GROUP_READ) || mode.contains(PosixFilePermission.OTHERS_READ)
                || mode.contains(PosixFilePermission.GROUP_WRITE) || mode.contains(PosixFilePermission.OTHERS_WRITE)) {
            throw new IOException(keyFile + ": private key is accessible to others (mode "
                    + PosixFilePermissions.toString(mode) + "); chmod 600 it");
        }
        PrivateKey key = PemFile.read(keyFile).privateKey()
                .orElseThrow(() -> new IOException(keyFile + ": not a PKCS#8 private key"));
        return new SiteIdentity(key, readCertificate(dir.resolve(CERT_FILE)));
    }

    /**
     * Reads the first certificate of a PEM file: a site's own, or a peer's for
     * {@code wormhole fingerprint}, also from a combined key-and-certificate file such as
     * stunnel's {@code stunnel.pem} (other PEM blocks before it are skipped).
     */
    public static X509Certificate readCertificate(Path file) throws IOException {
        return PemFile.read(file).certificates().stream().findFirst()
                .orElseThrow(() -> new IOException(file + ": no PEM certificate in it"));
    }

    private static String pem(Object o) throws IOException {
        StringWriter w = new StringWriter();
        try (JcaPEMWriter pw = new JcaPEMWriter(w)) {
            pw.writeObject(o);
        }
        return w.toString();
    }

    /** Creates the file with mode 0600 from the start: the key is never readable by others, not even briefly. */
    private static void writePrivate(Path file, String text) throws IOException {
        try (var ch = Files.newByteChannel(file, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
            ch.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII)));
        }
    }
}
