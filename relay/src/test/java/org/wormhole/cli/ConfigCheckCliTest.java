package org.wormhole.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.wormhole.cli.CliRun.wormhole;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wormhole.link.SiteIdentity;

/**
 * {@code wormhole config check} as {@code postfix check}: beyond the file itself, what
 * {@code wormhole run} would fail on, each problem at the line of the key it is about.
 */
class ConfigCheckCliTest {

    @TempDir
    Path home;

    private Path config(String more) throws Exception {
        Files.createDirectories(home.resolve("config"));
        Files.writeString(home.resolve("config/mailertable"), "tokyo.example\ttsmtp:tokyo\n");
        String pin = SiteIdentity.generate(home.resolve("tokyo-keys"), "tokyo", Duration.ofDays(30)).pin().toString();
        return Files.writeString(home.resolve("config/wormhole.conf"), ""
                + "myhostname = relay.example\n"
                + "queue_directory = \"" + home.resolve("spool") + "\"\n"
                + "mailertable = \"" + home.resolve("config/mailertable") + "\"\n"
                + "link_key_directory = \"" + home.resolve("keys") + "\"\n"
                + "peers { tokyo { address = \"127.0.0.1\", pins = [\"" + pin + "\"] } }\n"
                + more);
    }

    @Test
    void aSiteThatWouldRunIsOk() throws Exception {
        Path conf = config("");
        SiteIdentity.generate(home.resolve("keys"), "here", Duration.ofDays(30));
        CliRun check = wormhole("config", "check", conf.toString());
        assertEquals(0, check.exit(), check.err());
        assertEquals(conf + ": OK\n", check.err());
    }

    @Test
    void aMissingSiteKeyIsReportedAtLinkKeyDirectory() throws Exception {
        Path conf = config("");
        CliRun check = wormhole("config", "check", conf.toString());
        assertEquals(1, check.exit());
        assertEquals(conf + ":4: link_key_directory: peers are configured but " + home.resolve("keys")
                + " does not exist (create the site key with 'wormhole keygen')", check.err().lines().findFirst().get());
    }

    @Test
    void aKeyReadableByOthersAndAnOpenKeyDirectoryAreReported() throws Exception {
        Path conf = config("");
        Path keys = home.resolve("keys");
        SiteIdentity.generate(keys, "here", Duration.ofDays(30));
        Files.setPosixFilePermissions(keys, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(keys.resolve("site.key"), PosixFilePermissions.fromString("rw-r--r--"));
        CliRun check = wormhole("config", "check", conf.toString());
        assertEquals(1, check.exit());
        assertEquals(List.of(
                conf + ":4: link_key_directory: " + keys + " is accessible to others (mode rwxr-xr-x); chmod 700 " + keys,
                conf + ":4: link_key_directory: " + keys.resolve("site.key") + ": private key is accessible to others"
                        + " (mode rw-r--r--); chmod 600 " + keys.resolve("site.key"),
                conf + ": 2 error(s) that 'wormhole run' would fail on or that expose a key"),
                check.err().lines().toList());
    }

    @Test
    void aSpoolFileOfAnotherUserAndABadTableAreReported() throws Exception {
        Files.createDirectories(home.resolve("config"));
        Path conf = config("");
        SiteIdentity.generate(home.resolve("keys"), "here", Duration.ofDays(30));
        Files.writeString(home.resolve("config/mailertable"), "tokyo.example\ttsmtp:tokyo\nosaka.example\ttsmtp:osaka\n"
                + "kyoto.example\tbogus:x\n");
        Path deferred = Files.createDirectories(home.resolve("spool/deferred"));
        Path theirs = Files.writeString(deferred.resolve("1K8RM6LQQ00GD2"), "x");
        String me = System.getProperty("user.name");
        org.junit.jupiter.api.Assumptions.assumeTrue(me.equals("root"), "giving a file to another user needs root");
        String other = "nobody";
        Files.setOwner(theirs, home.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(other));

        CliRun check = wormhole("config", "check", conf.toString());
        assertEquals(1, check.exit());
        List<String> lines = check.err().lines().toList();
        Path table = home.resolve("config/mailertable");
        assertTrue(lines.contains(conf + ":2: queue_directory: " + theirs + " is owned by " + other + ", not " + me
                + "; run chown -R " + me + " " + home.resolve("spool")), check.err());
        assertTrue(lines.stream().anyMatch(l -> l.startsWith(table + ":3: ") && l.contains("bogus")), check.err());
        assertEquals(conf + ": 2 error(s) that 'wormhole run' would fail on or that expose a key", lines.get(lines.size() - 1),
                check.err());
    }

    @Test
    void submissionShowsInTheEffectiveConfigurationAndAMissingOrOpenUsersFileIsReported() throws Exception {
        SiteIdentity.generate(home.resolve("keys"), "here", Duration.ofDays(30));
        Path users = home.resolve("config/submission-users");
        Path conf = config("smtpd_tls_cert_file = \"" + home.resolve("keys/site.crt") + "\"\n"
                + "smtpd_tls_key_file = \"" + home.resolve("keys/site.key") + "\"\n"
                + "submission_listen = \"127.0.0.1:587\"\n"
                + "submission_users_file = \"" + users + "\"\n");
        CliRun missing = wormhole("config", "check", conf.toString());
        assertEquals(1, missing.exit());
        assertTrue(missing.out().contains("submission_listen = \"127.0.0.1:587\"\n"), missing.out());
        assertTrue(missing.out().contains("submission_sender_login = \"strict\"\n"), missing.out());
        assertTrue(missing.out().contains("submission_auth_failure_limit = 5\n"), missing.out());
        assertEquals(conf + ":9: submission_users_file: submission_listen is set but " + users
                + " does not exist (add a user with 'wormhole user add NAME')", missing.err().lines().findFirst().get());

        CliRun add = CliRun.wormholeWithInput("pw\n", "user", "add", "--config", conf.toString(), "--cost", "4", "alice");
        assertEquals(0, add.exit(), add.err());
        CliRun ok = wormhole("config", "check", conf.toString());
        assertEquals(0, ok.exit(), ok.err());

        Files.setPosixFilePermissions(users, PosixFilePermissions.fromString("rw-r--r--"));
        CliRun open = wormhole("config", "check", conf.toString());
        assertEquals(1, open.exit());
        assertEquals(conf + ":9: submission_users_file: " + users + ": password hashes are accessible to everyone"
                + " (mode rw-r--r--); chmod 600 " + users, open.err().lines().findFirst().get());
    }
}
