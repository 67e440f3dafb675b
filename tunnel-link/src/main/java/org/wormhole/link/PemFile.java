package org.wormhole.link;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.pkcs.RSAPrivateKey;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;

/**
 * One PEM file as an admin hands it to Wormhole: a private key, a certificate or a certificate
 * chain, or a key and its certificate in one file as stunnel keeps them ({@code stunnel.pem}: key
 * first, then certificate). The one place Wormhole reads PEM: the site key and certificate, a
 * peer's certificate for {@code wormhole fingerprint}, and the smtpd STARTTLS files.
 *
 * <p>Private keys: PKCS#8 ({@code BEGIN PRIVATE KEY}) and OpenSSL's traditional
 * {@code BEGIN RSA PRIVATE KEY} (PKCS#1) and {@code BEGIN EC PRIVATE KEY} (SEC 1), of type EC,
 * RSA or EdDSA. Encrypted keys are not read (a relay starts unattended). Blocks of other types
 * ({@code EC PARAMETERS}, ...) are skipped. Each block is decoded only when asked for, so the
 * certificate of a combined file reads even when its key is of a kind this reader does not know.
 *
 * <p>Every problem is an {@link IOException} whose message starts with the file's name.
 */
public final class PemFile {

    private static final Pattern BEGIN = Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----");
    private static final Set<String> KEY_TYPES = Set.of("PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY");
    private static final Set<String> CERTIFICATE_TYPES = Set.of("CERTIFICATE", "X509 CERTIFICATE");
    private static final List<String> KEY_ALGORITHMS = List.of("EC", "RSA", "Ed25519", "Ed448");

    private final Path file;
    private final List<Block> blocks;

    /** One {@code -----BEGIN TYPE-----} block, with its text up to the END line (none: {@code terminated} false). */
    private record Block(String type, String body, boolean terminated) {

        /** RFC 1421 headers: a traditional key encrypted with a passphrase. */
        boolean encrypted() {
            return body.contains("Proc-Type:") && body.contains("ENCRYPTED");
        }
    }

    private PemFile(Path file, List<Block> blocks) {
        this.file = file;
        this.blocks = blocks;
    }

    /**
     * Reads the blocks of {@code file}; text outside them is ignored (as openssl does).
     *
     * @throws NoSuchFileException   the file does not exist
     * @throws AccessDeniedException the file cannot be read
     */
    public static PemFile read(Path file) throws IOException {
        String text = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
        List<Block> blocks = new ArrayList<>();
        Matcher begin = BEGIN.matcher(text);
        int from = 0;
        while (from < text.length() && begin.find(from)) {
            String end = "-----END " + begin.group(1) + "-----";
            int stop = text.indexOf(end, begin.end());
            if (stop < 0) {
                blocks.add(new Block(begin.group(1), text.substring(begin.end()), false));
                break;
            }
            blocks.add(new Block(begin.group(1), text.substring(begin.end(), stop), true));
            from = stop + end.length();
        }
        return new PemFile(file, List.copyOf(blocks));
    }

    /** The file this was read from. */
    public Path file() {
        return file;
    }

    /**
     * The first unencrypted private key in the file; empty if there is none.
     *
     * @throws IOException the key block is damaged or holds a key that is not EC, RSA or EdDSA:
     *                     {@code FILE: not an EC, RSA or EdDSA private key}
     */
    public Optional<PrivateKey> privateKey() throws IOException {
        for (Block b : blocks) {
            if (KEY_TYPES.contains(b.type()) && !b.encrypted()) {
                return Optional.of(privateKey(b));
            }
        }
        return Optional.empty();
    }

    /**
     * Every certificate in the file, in the file's order (a chain: the leaf first); empty if there
     * is none.
     *
     * @throws IOException a certificate block is damaged: {@code FILE: unreadable certificate: ...}
     */
    public List<X509Certificate> certificates() throws IOException {
        List<X509Certificate> chain = new ArrayList<>();
        for (Block b : blocks) {
            if (CERTIFICATE_TYPES.contains(b.type())) {
                chain.add(certificate(b));
            }
        }
        return List.copyOf(chain);
    }

    private PrivateKey privateKey(Block b) throws IOException {
        PKCS8EncodedKeySpec spec;
        try {
            spec = new PKCS8EncodedKeySpec(pkcs8(b.type(), der(b)));
        } catch (IOException | IllegalArgumentException | IllegalStateException damaged) {
            throw notAKey(damaged);
        }
        for (String algorithm : KEY_ALGORITHMS) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (GeneralSecurityException wrongAlgorithm) {
                // try the next
            }
        }
        throw notAKey(null);
    }

    /** The key as PKCS#8: as it is, or a traditional RSA or EC key wrapped with its algorithm. */
    private static byte[] pkcs8(String type, byte[] der) throws IOException {
        return switch (type) {
            case "RSA PRIVATE KEY" -> new PrivateKeyInfo(
                    new AlgorithmIdentifier(PKCSObjectIdentifiers.rsaEncryption, DERNull.INSTANCE),
                    RSAPrivateKey.getInstance(der)).getEncoded();
            case "EC PRIVATE KEY" -> {
                ECPrivateKey ec = ECPrivateKey.getInstance(der);
                yield new PrivateKeyInfo(new AlgorithmIdentifier(X9ObjectIdentifiers.id_ecPublicKey,
                        ec.getParametersObject()), ec).getEncoded();
            }
            default -> der;
        };
    }

    private IOException notAKey(Exception cause) {
        return new IOException(file + ": not an EC, RSA or EdDSA private key", cause);
    }

    private X509Certificate certificate(Block b) throws IOException {
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(der(b)));
        } catch (GeneralSecurityException | IOException e) {
            throw new IOException(file + ": unreadable certificate: " + e.getMessage(), e);
        }
    }

    /** The block's bytes: its base64 lines, RFC 1421 header lines ({@code Name: value}) left out. */
    private static byte[] der(Block b) throws IOException {
        if (!b.terminated()) {
            throw new IOException("no -----END " + b.type() + "----- line");
        }
        StringBuilder base64 = new StringBuilder();
        for (String line : b.body().split("\\R")) {
            if (!line.contains(":")) {
                base64.append(line.strip());
            }
        }
        try {
            return Base64.getDecoder().decode(base64.toString());
        } catch (IllegalArgumentException e) {
            throw new IOException("the " + b.type() + " block is not valid base64 (" + e.getMessage() + ")", e);
        }
    }
}
