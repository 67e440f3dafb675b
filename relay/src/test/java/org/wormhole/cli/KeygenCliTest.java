package org.wormhole.cli;

import static org.wormhole.cli.CliRun.wormhole;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pairing two sites as their admins do: keygen on each, exchange the pins. */
class KeygenCliTest {

    @TempDir
    Path dir;

    @Test
    void keygenPrintsThePinAndFingerprintPrintsItAgain() throws Exception {
        Path keys = dir.resolve("tokyo/keys");
        CliRun k = wormhole("keygen", "--dir", keys.toString(), "--name", "tokyo");
        assertEquals(0, k.exit(), k.err());
        assertTrue(k.out().matches("sha256/[A-Za-z0-9+/]{43}=\n"), k.out());
        assertTrue(k.err().contains("(mode 0600)"), k.err());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(keys.resolve("site.key"))));

        CliRun f = wormhole("fingerprint", keys.resolve("site.crt").toString());
        assertEquals(new CliRun(0, k.out(), ""), f);
    }

    @Test
    void keygenNeverOverwritesAKey() {
        Path keys = dir.resolve("keys");
        CliRun first = wormhole("keygen", "--dir", keys.toString());
        CliRun second = wormhole("keygen", "--dir", keys.toString());
        assertEquals(1, second.exit());
        assertTrue(second.err().contains("a site key exists"), second.err());
        assertEquals(first.out(), wormhole("fingerprint", keys.resolve("site.crt").toString()).out());
    }

    @Test
    void fingerprintOfAMissingFileSaysWhatToDo() {
        CliRun f = wormhole("fingerprint", dir.resolve("nope.crt").toString());
        assertEquals(1, f.exit());
        assertTrue(f.err().contains("no such file (create the site key with 'wormhole keygen')"), f.err());
    }

    @Test
    void fingerprintReadsTheCertificateOfAStunnelPemWhereTheKeyComesFirst() throws Exception {
        Path keys = dir.resolve("paris/keys");
        CliRun k = wormhole("keygen", "--dir", keys.toString(), "--name", "paris");
        Path stunnelPem = dir.resolve("stunnel.pem"); // key first, then the certificate, as stunnel keeps them
        Files.writeString(stunnelPem, Files.readString(keys.resolve("site.key")) + Files.readString(keys.resolve("site.crt")));
        assertEquals(new CliRun(0, k.out(), ""), wormhole("fingerprint", stunnelPem.toString()));

        Path keyOnly = dir.resolve("key-only.pem");
        Files.writeString(keyOnly, Files.readString(keys.resolve("site.key")));
        CliRun none = wormhole("fingerprint", keyOnly.toString());
        assertEquals(1, none.exit());
        assertEquals(keyOnly + ": no PEM certificate in it\n", none.err());
    }
}
