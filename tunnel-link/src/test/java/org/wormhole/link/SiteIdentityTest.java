package org.wormhole.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A site's key pair on disk, as the admin creates and pairs it. */
class SiteIdentityTest {

    @TempDir
    Path dir;

    @Test
    void keygenWritesAPrivateKeyOnlyTheOwnerCanReadAndACertificate() throws Exception {
        Path keys = dir.resolve("keys");
        SiteIdentity id = SiteIdentity.generate(keys, "tokyo", Duration.ofDays(365));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(keys)));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(keys.resolve("site.key"))));
        assertTrue(Files.readString(keys.resolve("site.key")).startsWith("-----BEGIN PRIVATE KEY-----"));
        assertTrue(Files.readString(keys.resolve("site.crt")).startsWith("-----BEGIN CERTIFICATE-----"));
        assertEquals("CN=tokyo", id.certificate().getSubjectX500Principal().getName());
        assertTrue(id.notAfter().isAfter(Instant.now().plus(Duration.ofDays(364))));
    }

    @Test
    void thePinIsTheSha256OfTheSubjectPublicKeyInfoAndSurvivesAReload() throws Exception {
        SiteIdentity id = SiteIdentity.generate(dir, "birlinghoven", Duration.ofDays(30));
        byte[] spki = id.certificate().getPublicKey().getEncoded();
        String expected = "sha256/" + Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(spki));
        assertEquals(expected, id.pin().value());
        SiteIdentity again = SiteIdentity.load(dir);
        assertEquals(id.pin(), again.pin());
        assertEquals(id.pin(), Pin.of(SiteIdentity.readCertificate(dir.resolve("site.crt"))));
    }

    @Test
    void anExistingKeyIsNeverOverwritten() throws Exception {
        SiteIdentity first = SiteIdentity.generate(dir, "tokyo", Duration.ofDays(30));
        assertThrows(FileAlreadyExistsException.class, () -> SiteIdentity.generate(dir, "tokyo", Duration.ofDays(30)));
        assertEquals(first.pin(), SiteIdentity.load(dir).pin());
    }

    @Test
    void aKeyReadableByOthersIsRefused() throws Exception {
        SiteIdentity.generate(dir, "tokyo", Duration.ofDays(30));
        Files.setPosixFilePermissions(dir.resolve("site.key"), PosixFilePermissions.fromString("rw-r--r--"));
        var e = assertThrows(java.io.IOException.class, () -> SiteIdentity.load(dir));
        assertTrue(e.getMessage().contains("chmod 600"), e.getMessage());
    }

    @Test
    void pinsAreCheckedWhenParsed() {
        assertThrows(IllegalArgumentException.class, () -> Pin.parse("sha256/short"));
        assertThrows(IllegalArgumentException.class, () -> Pin.parse("md5/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="));
        assertEquals("sha256/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
                Pin.parse(" sha256/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= ").value());
    }
}
