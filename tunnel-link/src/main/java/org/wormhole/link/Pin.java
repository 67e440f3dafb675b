package org.wormhole.link;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * A site's pin: {@code sha256/} and the base64 of the SHA-256 of its SubjectPublicKeyInfo (the
 * same form as HTTP public key pinning and curl's --pinnedpubkey). Pairing two sites means each
 * admin puts the other's pin in the configuration, as with SSH known_hosts or WireGuard keys.
 */
public record Pin(String value) {

    private static final Pattern SYNTAX = Pattern.compile("sha256/[A-Za-z0-9+/]{43}=");

    public Pin {
        if (!SYNTAX.matcher(value).matches()) {
            throw new IllegalArgumentException("'" + value + "' is not a pin: expected sha256/ and 44 base64 characters");
        }
    }

    /** Parses a pin as written in a configuration file. */
    public static Pin parse(String text) {
        return new Pin(text.strip());
    }

    public static Pin of(PublicKey key) {
        try {
            byte[] spki = key.getEncoded(); // X.509 SubjectPublicKeyInfo
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(spki);
            return new Pin("sha256/" + Base64.getEncoder().encodeToString(hash));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from this JDK", e);
        }
    }

    public static Pin of(X509Certificate certificate) {
        return of(certificate.getPublicKey());
    }

    @Override
    public String toString() {
        return value;
    }
}
