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

    /** A configuration naming {@code keys} as the key directory, and one peer (so that `run` needs the key). */
    private Path config(Path keys) throws Exception {
        return Files.writeString(dir.resolve("wormhole.conf"), "myhostname = relay.tokyo.example\n"
                + "listen = \"127.0.0.1:0\"\n"
                + "queue_directory = \"" + dir.resolve("spool") + "\"\n"
                + "mailertable = \"" + Files.writeString(dir.resolve("mailertable"), "") + "\"\n"
                + "link_key_directory = \"" + keys + "\"\n"
                + "peers { birlinghoven { address = \"127.0.0.1\", port = 9, dial = false,"
                + " pins = [\"sha256/BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB=\"] } }\n");
    }

    @Test
    void afterARolloverFingerprintAndKeygenUseTheConfiguredKeyDirectory() throws Exception {
        Path old = dir.resolve("keys");
        Path rolled = dir.resolve("keys.2027");
        CliRun first = wormhole("keygen", "--dir", old.toString(), "--name", "tokyo");
        Path conf = config(rolled);

        CliRun second = wormhole("keygen", "--config", conf.toString(), "--name", "tokyo"); // into keys.2027
        assertEquals(0, second.exit(), second.err());
        assertTrue(Files.exists(rolled.resolve("site.key")), second.err());
        assertTrue(!second.out().equals(first.out()), "a new key");

        assertEquals(new CliRun(0, second.out(), ""), wormhole("fingerprint", "--config", conf.toString()),
                "the pin of the key the relay uses, not of the old one");
    }

    @Test
    void aKeyWithoutItsCertificateGetsOneMessageFromEveryCommand() throws Exception {
        Path keys = dir.resolve("keys");
        wormhole("keygen", "--dir", keys.toString(), "--name", "tokyo");
        Files.delete(keys.resolve("site.crt"));
        Path conf = config(keys);
        String message = keys.resolve("site.key") + ": site key without its certificate site.crt; restore site.crt"
                + " from a backup, or move site.key away and run 'wormhole keygen' (a new key: tell the peers the new pin)";

        assertEquals(new CliRun(1, "", message + "\n"), wormhole("keygen", "--config", conf.toString()));
        assertEquals(new CliRun(1, "", message + "\n"), wormhole("fingerprint", "--config", conf.toString()));
        assertEquals(new CliRun(1, "", "relay not started: " + message + "\n"),
                wormhole("run", "--config", conf.toString()));
    }
}
