package org.wormhole.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.wormhole.cli.CliRun.wormhole;
import static org.wormhole.cli.CliRun.wormholeWithInput;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wormhole.relay.smtpd.auth.PasswordHash;
import org.wormhole.relay.smtpd.auth.UsersFile;

/** An admin managing the submission users with 'wormhole user', as the README shows it. */
class UserCliTest {

    @TempDir
    Path dir;

    private Path users() {
        return dir.resolve("submission-users");
    }

    @Test
    void addReadsThePasswordFromStdinAndWritesABcryptLineReadableOnlyByTheOwner() throws Exception {
        CliRun add = wormholeWithInput("s3cret pass\n", "user", "add", "--file", users().toString(), "--cost", "4",
                "--address", "alice@birlinghoven.example,@sales.birlinghoven.example", "alice");
        assertEquals(0, add.exit(), add.err());
        assertEquals("added alice in " + users() + " (senders: alice@birlinghoven.example, @sales.birlinghoven.example)",
                add.err().lines().findFirst().orElseThrow());
        if (System.getProperty("user.name").equals("root")) { // a file root creates is one the relay's user cannot read
            assertEquals(users() + " is new, owned by root with mode 0600: the relay's user must be able to read it (chown USER "
                    + users() + ")", add.err().lines().skip(1).findFirst().orElseThrow());
        }
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(users())));
        String line = Files.readString(users());
        assertTrue(line.matches("alice:\\$2y\\$04\\$[./A-Za-z0-9]{53}:alice@birlinghoven.example,@sales.birlinghoven.example\n"),
                line);
        String hash = UsersFile.read(users()).user("alice").orElseThrow().hash();
        assertTrue(PasswordHash.matches(hash, "s3cret pass"));
        assertFalse(PasswordHash.matches(hash, "s3cret pass\n"));
        assertFalse(line.contains("s3cret"));
    }

    @Test
    void listShowsNamesAndSendersNeverHashesAndRemoveTakesAUserOut() {
        wormholeWithInput("pw-a\n", "user", "add", "--file", users().toString(), "--cost", "4", "alice@birlinghoven.example");
        wormholeWithInput("pw-b\n", "user", "add", "--file", users().toString(), "--cost", "4",
                "--address", "bob@birlinghoven.example", "bob");
        CliRun list = wormhole("user", "list", "--file", users().toString());
        assertEquals(0, list.exit(), list.err());
        assertEquals("USER                        SENDERS\n"
                + "alice@birlinghoven.example  -\n"
                + "bob                         bob@birlinghoven.example\n", list.out());
        assertFalse(list.out().contains("$2y$"));

        CliRun remove = wormhole("user", "remove", "--file", users().toString(), "bob");
        assertEquals(0, remove.exit(), remove.err());
        assertEquals("removed bob from " + users() + "\n", remove.err());
        CliRun again = wormhole("user", "remove", "--file", users().toString(), "bob");
        assertEquals(1, again.exit());
        assertEquals(users() + ": no user 'bob'\n", again.err());
    }

    @Test
    void addingAnExistingUserSetsANewPasswordAndKeepsItsSendersAndTheFilesCommentsAndMode() throws Exception {
        wormholeWithInput("old\n", "user", "add", "--file", users().toString(), "--cost", "4", "--address",
                "carol@birlinghoven.example", "carol");
        Files.writeString(users(), "# laptops of the sales team\n" + Files.readString(users()));
        Files.setPosixFilePermissions(users(), PosixFilePermissions.fromString("rw-r-----"));
        CliRun change = wormholeWithInput("new\n", "user", "add", "--file", users().toString(), "--cost", "4", "carol");
        assertEquals(0, change.exit(), change.err());
        assertTrue(change.err().startsWith("changed the password of carol in "), change.err());
        UsersFile f = UsersFile.read(users());
        assertTrue(PasswordHash.matches(f.user("carol").orElseThrow().hash(), "new"));
        assertEquals(java.util.List.of("carol@birlinghoven.example"), f.user("carol").orElseThrow().addresses());
        assertTrue(Files.readString(users()).startsWith("# laptops of the sales team\ncarol:$2y$04$"));
        assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(users())));
    }

    @Test
    void aLineWrittenByHtpasswdIsReadAsItIs() throws Exception {
        // htpasswd -nbB -C 5 dave hunter2 (Apache 2.4.57) wrote this line
        Files.writeString(users(), "dave:$2y$05$InGjyyOABb8gUjaCR/JcDuxVk6eeC6pYBMCP.ErrkJVeJYcEThVLG\n");
        CliRun list = wormhole("user", "list", "--file", users().toString());
        assertEquals(0, list.exit(), list.err());
        assertTrue(list.out().contains("dave  -"), list.out());
        String hash = UsersFile.read(users()).user("dave").orElseThrow().hash();
        assertTrue(PasswordHash.matches(hash, "hunter2"));
        assertFalse(PasswordHash.matches(hash, "hunter3"));
    }

    @Test
    void htpasswdAndWormholeUserShareTheFileBothWays() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/htpasswd")),
                "htpasswd is not installed (apt-get install apache2-utils): skipped");
        wormholeWithInput("pw of alice\n", "user", "add", "--file", users().toString(), "--cost", "4", "alice");
        Process verify = new ProcessBuilder("htpasswd", "-vb", users().toString(), "alice", "pw of alice")
                .redirectErrorStream(true).start();
        String said = new String(verify.getInputStream().readAllBytes());
        assertEquals(0, verify.waitFor(), said);
        Process add = new ProcessBuilder("htpasswd", "-bB", "-C", "4", users().toString(), "bob", "pw of bob")
                .redirectErrorStream(true).start();
        said = new String(add.getInputStream().readAllBytes());
        assertEquals(0, add.waitFor(), said);
        UsersFile f = UsersFile.read(users());
        assertTrue(PasswordHash.matches(f.user("bob").orElseThrow().hash(), "pw of bob"));
        assertTrue(PasswordHash.matches(f.user("alice").orElseThrow().hash(), "pw of alice"));
    }

    @Test
    void badInputIsRefusedWithWhatIsWrongAndNothingChanges() throws Exception {
        CliRun noPassword = wormholeWithInput("", "user", "add", "--file", users().toString(), "erin");
        assertEquals(1, noPassword.exit());
        assertTrue(noPassword.err().startsWith("no password on stdin"), noPassword.err());
        assertFalse(Files.exists(users()));

        CliRun badName = wormholeWithInput("pw\n", "user", "add", "--file", users().toString(), "er:in");
        assertEquals(2, badName.exit());
        assertTrue(badName.err().contains("user name 'er:in' has a space, a control character or ':'"), badName.err());

        CliRun badAddress = wormholeWithInput("pw\n", "user", "add", "--file", users().toString(), "--address", "erin", "erin");
        assertEquals(2, badAddress.exit());
        assertTrue(badAddress.err().contains("'erin' is not an address (user@domain) or a domain (@domain)"), badAddress.err());

        CliRun tooLong = wormholeWithInput("x".repeat(73) + "\n", "user", "add", "--file", users().toString(), "erin");
        assertEquals(1, tooLong.exit());
        assertTrue(tooLong.err().contains("longer than 72 octets"), tooLong.err());

        Files.writeString(users(), "# users\nfrank:{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=\nfrank2\n");
        CliRun broken = wormholeWithInput("pw\n", "user", "add", "--file", users().toString(), "erin");
        assertEquals(1, broken.exit());
        assertEquals(users() + ":2: user 'frank': not a bcrypt hash ($2y$..., as htpasswd -B writes it); set the password"
                + " again with 'wormhole user add frank'\n"
                + users() + ":3: expected NAME:BCRYPT-HASH[:ADDRESS,...]\n"
                + users() + ": 2 error(s); nothing changed\n", broken.err());
    }

    @Test
    void theHelpSaysWherePasswordsComeFrom() {
        CliRun help = wormhole("user", "--help");
        assertEquals(0, help.exit());
        assertTrue(help.out().contains("never from the command line"), help.out());
        assertTrue(help.out().contains("add"), help.out());
    }
}
