package org.wormhole.mailertable;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Where a recipient goes: its table entry, else the MX hosts of its domain. */
class RouterTest {

    private final Mailertable table = parse("""
            birlinghoven.example    tsmtp:birlinghoven
            legacy.example          esmtp:postmaster@hub.legacy.example
            """);

    private static Mailertable parse(String text) {
        try {
            return Mailertable.parse("mailertable", text.getBytes(StandardCharsets.US_ASCII));
        } catch (MailertableException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aRecipientWithAnEntryGoesWhereTheEntrySaysWithItsAddressRewrittenIfTheEntryDoes() {
        Router router = new Router(table::lookup);
        Router.Routed bob = router.route("bob@birlinghoven.example");
        assertEquals("tsmtp", ((Router.Routed.To) bob).route().mailer().mailerName());
        assertEquals("bob@birlinghoven.example", ((Router.Routed.To) bob).address());
        assertEquals("postmaster@hub.legacy.example", ((Router.Routed.To) router.route("old@legacy.example")).address());
    }

    @Test
    void aRecipientWithoutAnEntryGoesByEsmtpToTheMxHostsOfItsDomain() {
        Router.Routed.To to = (Router.Routed.To) new Router(table::lookup).route("carol@Outside.Example.");
        assertEquals(new Route.Transport(Mailer.ESMTP, new Nexthop("outside.example", Nexthop.DEFAULT_PORT, true)),
                to.route());
        assertEquals("carol@Outside.Example.", to.address());
    }

    @Test
    void anAddressLiteralGoesToThatAddressWithoutAnMxLookup() {
        assertEquals(new Route.Transport(Mailer.ESMTP, new Nexthop("[192.0.2.1]", Nexthop.DEFAULT_PORT, false)),
                Router.byMx("dave@[192.0.2.1]"));
    }

    @Test
    void aTableThatCannotBeReadNowDefersTheRecipientWithItsReason() {
        Router router = new Router(recipient -> new Lookup.TempFail("mailertable unreadable"));
        assertEquals(new Router.Routed.TempFail("mailertable unreadable"), router.route("bob@birlinghoven.example"));
    }
}
