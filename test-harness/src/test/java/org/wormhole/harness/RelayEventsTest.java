package org.wormhole.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wormhole.relay.delivery.RecipientOutcome;
import org.wormhole.relay.events.LinkCameUp;
import org.wormhole.relay.events.LinkWentDown;
import org.wormhole.relay.events.MessageQueued;
import org.wormhole.relay.events.MessageRefused;
import org.wormhole.relay.events.RecipientAttempted;
import org.wormhole.relay.events.RecipientRefused;
import org.wormhole.testing.Await;

/**
 * What a relay reports while it works: the facts its log lines say, as events that a metrics
 * exporter or a test reads without parsing the log.
 */
class RelayEventsTest {

    @TempDir
    Path home;

    private FakeMx hub;
    private TestSite site;

    @AfterEach
    void stop() {
        if (site != null) {
            site.close();
        }
        if (hub != null) {
            hub.close();
        }
    }

    private TestSite site() throws Exception {
        hub = new FakeMx();
        site = new TestSite(home, "birlinghoven.example\tesmtp:[127.0.0.1]:" + hub.port() + "\n",
                "mynetworks = [\"127.0.0.1/32\"]\nrelay_domains = [\"birlinghoven.example\"]\n");
        return site.start();
    }

    @Test
    void aQueuedMessageIsReportedWithItsQueueIdSizeAndRecipients() throws Exception {
        site();
        String reply;
        try (SmtpTranscript c = SmtpTranscript.connect(site.port())) {
            c.expect("220");
            reply = c.sendMail("alice@tokyo.example", "Subject: hi\r\n\r\nhello\r\n",
                    "bob@birlinghoven.example", "carol@birlinghoven.example");
        }
        assertTrue(reply.startsWith("250 2.0.0 Ok: queued as "), reply);
        String id = reply.substring("250 2.0.0 Ok: queued as ".length());

        MessageQueued queued = site.events.await(MessageQueued.class, e -> e.id().value().equals(id));
        assertEquals("alice@tokyo.example", queued.sender());
        assertEquals(2, queued.recipients());
        assertTrue(queued.client().endsWith("[127.0.0.1]"), queued.client());
        // The size is that of the content as queued: the client's lines plus our Received: header.
        assertTrue(queued.size() > "Subject: hi\r\n\r\nhello\r\n".length(), "size " + queued.size());
    }

    @Test
    void eachRecipientsDeliveryIsReportedWithItsMailerNextHopAndOutcome() throws Exception {
        site();
        site.dns.clear(); // nowhere.example does not exist: bounced
        try (SmtpTranscript c = SmtpTranscript.connect(site.port())) {
            c.expect("220");
            c.sendMail("alice@tokyo.example", "Subject: two ways\r\n\r\nhello\r\n",
                    "bob@birlinghoven.example", "dave@nowhere.example");
        }
        RecipientAttempted sent = site.events.await(RecipientAttempted.class,
                e -> e.recipient().equals("bob@birlinghoven.example"));
        assertEquals(RecipientOutcome.Status.SENT, sent.outcome().status());
        assertEquals("esmtp", sent.mailer());
        assertTrue(sent.relay().endsWith("[127.0.0.1]:" + hub.port()), sent.relay());
        assertTrue(sent.doneMillis() >= sent.startMillis() && sent.startMillis() >= sent.arrivalMillis());

        RecipientAttempted bounced = site.events.await(RecipientAttempted.class,
                e -> e.recipient().equals("dave@nowhere.example"));
        assertEquals(RecipientOutcome.Status.BOUNCED, bounced.outcome().status());
        assertEquals("5.1.2", bounced.outcome().dsn());
        assertEquals(sent.id(), bounced.id());
    }

    @Test
    void aStrangerTryingToRelayIsReportedAsARefusedRecipientWith571() throws Exception {
        site();
        try (SmtpTranscript c = SmtpTranscript.connectFrom("127.0.0.2", site.port())) {
            c.expect("220");
            c.send("EHLO stranger.example").expect("250");
            c.send("MAIL FROM:<spam@stranger.example>").expect("250");
            c.send("RCPT TO:<victim@elsewhere.example>").expect("554 5.7.1");
        }
        RecipientRefused refused = site.events.await(RecipientRefused.class, e -> true);
        assertEquals(554, refused.code());
        assertEquals("5.7.1", refused.enhancedStatus());
        assertEquals("victim@elsewhere.example", refused.recipient());
        assertEquals("spam@stranger.example", refused.sender());
        assertEquals("stranger.example", refused.helo());
        assertTrue(refused.client().endsWith("[127.0.0.2]"), refused.client());
    }

    @Test
    void refusedContentIsReportedWithItsReplyAndNothingIsQueued() throws Exception {
        site();
        try (SmtpTranscript c = SmtpTranscript.connect(site.port())) {
            c.expect("220");
            c.send("EHLO client.example").expect("250");
            c.send("MAIL FROM:<alice@tokyo.example>").expect("250");
            c.send("RCPT TO:<bob@birlinghoven.example>").expect("250");
            c.send("DATA").expect("354");
            c.raw("Subject: smuggler\r\n\r\nhello\n.\nMAIL FROM:<ceo@birlinghoven.example>\r\n.\r\n");
            c.expect("550 5.6.0");
            c.send("QUIT").expect("221");
        }
        MessageRefused refused = site.events.await(MessageRefused.class, e -> true);
        assertEquals("5.6.0", refused.enhancedStatus());
        assertEquals("alice@tokyo.example", refused.sender());
        assertEquals(List.of(), site.events.all(MessageQueued.class));
    }

    @Test
    void theLinkGoingDownAndComingBackIsReportedWithHowLongItWasDown(@TempDir Path dir) throws Exception {
        try (TwoSites sites = TwoSites.direct(dir, "")) {
            sites.tokyo.events.await(LinkCameUp.class, e -> e.peer().equals("birlinghoven"));
            sites.birl.events.await(LinkCameUp.class, e -> e.peer().equals("tokyo"));

            sites.birl.relay.close();
            LinkWentDown down = sites.tokyo.events.await(LinkWentDown.class, e -> e.peer().equals("birlinghoven"));
            assertTrue(!down.reason().isBlank(), "a reason for the drop");
            int upsBefore = sites.tokyo.events.all(LinkCameUp.class).size();

            sites.birl.start();
            Await.until("the link up again", () -> sites.tokyo.events.all(LinkCameUp.class).size() > upsBefore);
            LinkCameUp again = sites.tokyo.events.all(LinkCameUp.class).get(upsBefore);
            assertEquals("birlinghoven", again.peer());
            assertTrue(again.downSince().isPresent(), "it says since when the link was down");
        }
    }
}
