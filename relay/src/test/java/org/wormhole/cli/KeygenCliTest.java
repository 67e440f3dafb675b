package org.wormhole.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pairing two sites as their admins do: keygen on each, exchange the pins. */
class KeygenCliTest {

    @TempDir
    Path dir;

    record Run(int exit, String out, String err) {
    }

    static Run wormhole(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Wormhole.run(new PrintWriter(out), new PrintWriter(err), args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void keygenPrintsThePinAndFingerprintPrintsItAgain() throws Exception {
        Path keys = dir.resolve("tokyo/keys");
        Run k = wormhole("keygen", "--dir", keys.toString(), "--name", "tokyo");
        assertEquals(0, k.exit(), k.err());
        assertTrue(k.out().matches("sha256/[A-Za-z0-9+/]{43}=\n"), k.out());
        assertTrue(k.err().contains("(mode 0600)"), k.err());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(keys.resolve("site.key"))));

        Run f = wormhole("fingerprint", keys.resolve("site.crt").toString());
        assertEquals(new Run(0, k.out(), ""), f);
    }

    @Test
    void keygenNeverOverwritesAKey() {
        Path keys = dir.resolve("keys");
        Run first = wormhole("keygen", "--dir", keys.toString());
        Run second = wormhole("keygen", "--dir", keys.toString());
        assertEquals(1, second.exit());
        assertTrue(second.err().contains("a site key exists"), second.err());
        assertEquals(first.out(), wormhole("fingerprint", keys.resolve("site.crt").toString()).out());
    }

    @Test
    void fingerprintOfAMissingFileSaysWhatToDo() {
        Run f = wormhole("fingerprint", dir.resolve("nope.crt").toString());
        assertEquals(1, f.exit());
        assertTrue(f.err().contains("no such file (create the site key with 'wormhole keygen')"), f.err());
    }
}
