package org.wormhole.relay.smtpd.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which senders a user owns, as a users file lists them (Postfix's smtpd_sender_login_maps). */
class SenderLoginTest {

    private static final String HASH = PasswordHash.hash("pw".toCharArray(), PasswordHash.MIN_COST);

    @Test
    void strictAllowsTheListedAddressesTheListedDomainsTheLoginNameAndTheNullSender() throws Exception {
        UsersFile f = UsersFile.parse(Path.of("users"), "# sales\n"
                + "alice:" + HASH + ":Alice@Birlinghoven.example,@sales.birlinghoven.example\n"
                + "bob@birlinghoven.example:" + HASH + "\n");
        SubmissionUser alice = f.user("alice").orElseThrow();
        SubmissionUser bob = f.user("bob@birlinghoven.example").orElseThrow();
        assertTrue(SenderLogin.STRICT.allows(alice, "alice@birlinghoven.example"));
        assertTrue(SenderLogin.STRICT.allows(alice, "ALICE@birlinghoven.EXAMPLE"));
        assertTrue(SenderLogin.STRICT.allows(alice, "anyone@sales.birlinghoven.example"));
        assertTrue(SenderLogin.STRICT.allows(alice, ""));
        assertFalse(SenderLogin.STRICT.allows(alice, "bob@birlinghoven.example"));
        assertFalse(SenderLogin.STRICT.allows(alice, "alice@evil.example"));
        assertFalse(SenderLogin.STRICT.allows(alice, "x@sub.sales.birlinghoven.example"));
        assertFalse(SenderLogin.STRICT.allows(alice, "alice"));
        assertTrue(SenderLogin.STRICT.allows(bob, "Bob@birlinghoven.example"));
        assertFalse(SenderLogin.STRICT.allows(bob, "alice@birlinghoven.example"));
        assertTrue(SenderLogin.ANY.allows(bob, "alice@birlinghoven.example"));
    }

    @Test
    void everyBadLineIsReportedWithItsLineNumber() {
        UsersFileException e = assertThrows(UsersFileException.class, () -> UsersFile.parse(Path.of("users"),
                "alice:" + HASH + "\n"
                + "\n"
                + "alice:" + HASH + "\n"
                + "bob:" + HASH + ":bob\n"
                + "carol:$apr1$abc$def\n"
                + "dave " + HASH + "\n"));
        assertEquals(List.of(
                "users:3: duplicate user 'alice' (first at line 1)",
                "users:4: 'bob' is not an address (user@domain) or a domain (@domain)",
                "users:5: user 'carol': not a bcrypt hash ($2y$..., as htpasswd -B writes it); set the password again with"
                        + " 'wormhole user add carol'",
                "users:6: expected NAME:BCRYPT-HASH[:ADDRESS,...]"), e.problems());
    }

    @Test
    void theFileIsWrittenBackAsItWasReadWithOnlyTheChangedLineDifferent() throws Exception {
        String text = "# one\nalice:" + HASH + ":a@b.example\n\n# two\nbob:" + HASH + "\n";
        UsersFile f = UsersFile.parse(Path.of("users"), text);
        assertEquals(text, f.text());
        String other = PasswordHash.hash("other".toCharArray(), PasswordHash.MIN_COST);
        assertEquals("# one\nalice:" + other + ":a@b.example\n\n# two\nbob:" + HASH + "\ncarol:" + HASH + "\n",
                f.with(new SubmissionUser("alice", other, List.of("a@b.example")))
                        .with(new SubmissionUser("carol", HASH, List.of())).text());
        assertEquals("# one\n\n# two\nbob:" + HASH + "\n", f.without("alice").text());
    }

    @Test
    void aPasswordLongerThanBcryptReadsNeverMatches() {
        String hash = PasswordHash.hash("x".repeat(72).toCharArray(), PasswordHash.MIN_COST);
        assertTrue(PasswordHash.matches(hash, "x".repeat(72)));
        assertFalse(PasswordHash.matches(hash, "x".repeat(73)));
        assertThrows(IllegalArgumentException.class, () -> PasswordHash.hash("x".repeat(73).toCharArray(), 4));
        assertFalse(PasswordHash.matches(hash, "y"));
        assertEquals(4, PasswordHash.cost(hash));
        assertEquals(5, PasswordHash.cost("$2y$05$InGjyyOABb8gUjaCR/JcDuxVk6eeC6pYBMCP.ErrkJVeJYcEThVLG")); // htpasswd -B
    }
}
