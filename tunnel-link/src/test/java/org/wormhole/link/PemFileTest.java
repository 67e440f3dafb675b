package org.wormhole.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.List;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The PEM files an admin hands Wormhole: site keys, smtpd TLS files, a classic peer's stunnel.pem. */
class PemFileTest {

    @TempDir
    Path dir;

    private SiteIdentity tokyo;
    private String tokyoKey;
    private String tokyoCert;

    @BeforeEach
    void aSiteKeyAndCertificate() throws IOException {
        tokyo = SiteIdentity.generate(dir.resolve("keys"), "tokyo", Duration.ofDays(2));
        tokyoKey = Files.readString(dir.resolve("keys").resolve(SiteIdentity.KEY_FILE));
        tokyoCert = Files.readString(dir.resolve("keys").resolve(SiteIdentity.CERT_FILE));
    }

    @Test
    void aPkcs8KeyFileHasTheKeyAndNoCertificate() throws Exception {
        PemFile key = PemFile.read(write("site.key", tokyoKey));
        assertTrue(signsFor(key.privateKey().orElseThrow(), tokyo.certificate().getPublicKey()));
        assertEquals(List.of(), key.certificates());
    }

    @Test
    void aCertificateFileHasTheCertificateAndNoKey() throws Exception {
        PemFile cert = PemFile.read(write("site.crt", tokyoCert));
        assertEquals(List.of(tokyo.certificate()), cert.certificates());
        assertTrue(cert.privateKey().isEmpty());
    }

    @Test
    void aStunnelPemHasTheKeyFirstThenTheCertificate() throws Exception {
        PemFile stunnel = PemFile.read(write("stunnel.pem", tokyoKey + tokyoCert));
        assertTrue(signsFor(stunnel.privateKey().orElseThrow(), tokyo.certificate().getPublicKey()));
        assertEquals(List.of(tokyo.certificate()), stunnel.certificates());
    }

    @Test
    void aChainIsReadInTheFilesOrder() throws Exception {
        SiteIdentity issuer = SiteIdentity.generate(dir.resolve("issuer"), "issuer", Duration.ofDays(2));
        String issuerCert = Files.readString(dir.resolve("issuer").resolve(SiteIdentity.CERT_FILE));
        PemFile chain = PemFile.read(write("chain.crt", "leaf first\n" + tokyoCert + "then its issuer\n" + issuerCert));
        assertEquals(List.of(tokyo.certificate(), issuer.certificate()), chain.certificates());
    }

    @Test
    void traditionalOpenSslRsaAndEcKeysAreRead() throws Exception {
        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        KeyPair rsaPair = rsa.generateKeyPair();
        String rsaPem = traditional(rsaPair.getPrivate());
        assertTrue(rsaPem.startsWith("-----BEGIN RSA PRIVATE KEY-----"), rsaPem);
        assertTrue(signsFor(PemFile.read(write("rsa.key", rsaPem)).privateKey().orElseThrow(), rsaPair.getPublic()));

        KeyPairGenerator ec = KeyPairGenerator.getInstance("EC", new BouncyCastleProvider()); // names its curve, as openssl
        ec.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair ecPair = ec.generateKeyPair();
        String ecPem = traditional(ecPair.getPrivate());
        assertTrue(ecPem.startsWith("-----BEGIN EC PRIVATE KEY-----"), ecPem);
        assertTrue(signsFor(PemFile.read(write("ec.key", ecPem)).privateKey().orElseThrow(), ecPair.getPublic()));
    }

    @Test
    void aDamagedKeySaysSoWithTheFileName() throws Exception {
        Path truncated = write("truncated.key", tokyoKey.substring(0, tokyoKey.length() - 40) + "\n-----END PRIVATE KEY-----\n");
        var e = assertThrows(IOException.class, () -> PemFile.read(truncated).privateKey());
        assertEquals(truncated + ": not an EC, RSA or EdDSA private key", e.getMessage());

        Path noEnd = write("no-end.key", tokyoKey.replace("-----END PRIVATE KEY-----", ""));
        e = assertThrows(IOException.class, () -> PemFile.read(noEnd).privateKey());
        assertEquals(noEnd + ": not an EC, RSA or EdDSA private key", e.getMessage());
    }

    @Test
    void aDamagedCertificateSaysSoWithTheFileName() throws Exception {
        Path garbled = write("garbled.crt", tokyoCert.replaceFirst("\n[A-Za-z0-9+/]{8}", "\n!!!!!!!!"));
        var e = assertThrows(IOException.class, () -> PemFile.read(garbled).certificates());
        assertTrue(e.getMessage().startsWith(garbled + ": unreadable certificate: the CERTIFICATE block is not valid"
                + " base64"), e.getMessage());
    }

    @Test
    void aFileWithoutPemBlocksHasNeitherKeyNorCertificate() throws Exception {
        PemFile text = PemFile.read(write("notes.txt", "not PEM at all\n"));
        assertTrue(text.privateKey().isEmpty());
        assertEquals(List.of(), text.certificates());
        assertThrows(NoSuchFileException.class, () -> PemFile.read(dir.resolve("missing.pem")));
    }

    private Path write(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text, StandardCharsets.US_ASCII);
    }

    /** A private key as OpenSSL's traditional format (JcaPEMWriter writes keys that way). */
    private static String traditional(PrivateKey key) throws IOException {
        StringWriter w = new StringWriter();
        try (JcaPEMWriter pem = new JcaPEMWriter(w)) {
            pem.writeObject(key);
        }
        return w.toString();
    }

    /** The key read is the private half of {@code publicKey}: what it signs, that key verifies. */
    private static boolean signsFor(PrivateKey key, PublicKey publicKey) throws Exception {
        String algorithm = key.getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
        byte[] data = "EHLO tokyo.example".getBytes(StandardCharsets.US_ASCII);
        Signature sign = Signature.getInstance(algorithm);
        sign.initSign(key);
        sign.update(data);
        Signature verify = Signature.getInstance(algorithm);
        verify.initVerify(publicKey);
        verify.update(data);
        return verify.verify(sign.sign());
    }
}
