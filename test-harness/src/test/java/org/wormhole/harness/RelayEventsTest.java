package org.wormhole.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.wormhole.relay.delivery.RecipientOutcome;
import org.wormhole.relay.events.LinkCameUp;
import org.wormhole.relay.events.LinkWentDown;
import org.wormhole.relay.events.MessageQueued;
import org.wormhole.relay.events.MessageRefused;
import org.wormhole.relay.events.RecipientAttempted;
import org.wormhole.relay.events.RecipientRefused;
import org.wormhole.relay.events.SessionRefused;
import org.wormhole.relay.events.TableEditRejected;
import org.wormhole.relay.events.TableSwapped;
import org.wormhole.relay.events.TableUnreadable;
import org.wormhole.testing.Await;

/**
 * What a relay reports while it works: the facts its log lines say, as events that a metrics
 * exporter or a test reads without parsing the log.
 */
class RelayEventsTest {

    @RegisterExtension
    final OneSite one = new OneSite();

    /** The relay of most tests: relays for loopback, and for everyone to birlinghoven.example. */
    private TestSite site() throws Exception {
        return one.start("mynetworks = [\"127.0.0.1/32\"]\nrelay_domains = [\"birlinghoven.example\"]\n");
    }

    @Test
    void everySessionOverAClientsConnectionCountIsReportedAsRefusedWithItsReason() throws Exception {
        TestSite site = one.start("mynetworks = [\"127.0.0.9/32\"]\nsmtpd_client_connection_count_limit = 2\n"
                + "smtpd_client_connection_rate_limit = 0\n");
        List<SmtpTranscript> open = new ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) {
                SmtpTranscript c = SmtpTranscript.connectFrom("127.0.0.2", site.port());
                open.add(c);
                c.expect("220");
            }
            // Three over the limit: the log says it once, the events every time.
            for (int i = 0; i < 3; i++) {
                try (SmtpTranscript c = SmtpTranscript.connectFrom("127.0.0.2", site.port())) {
                    c.expect("421 4.7.0");
                }
            }
        } finally {
            for (SmtpTranscript c : open) {
                c.close();
            }
        }
        SessionRefused refused = site.events.await(SessionRefused.class, e -> true);
        assertEquals(new SessionRefused("127.0.0.2", SessionRefused.Reason.CONNECTION_COUNT,
                "421 4.7.0 Error: too many connections from 127.0.0.2"), refused);
        assertEquals(3, site.events.all(SessionRefused.class).size());
    }

    @Test
    void aClientTalkingBeforeTheGreetingIsReportedAsRefusedForPregreetAndLoggedAsBefore() throws Exception {
        TestSite site = one.start("smtpd_pregreet_wait = 300ms\n");
        try (CapturedLog log = CapturedLog.of("smtpd");
             SmtpTranscript c = SmtpTranscript.connectFrom("127.0.0.2", site.port())) {
            c.send("EHLO impatient.example");
            c.expect("554 5.5.1");
            assertEquals(new SessionRefused("127.0.0.2", SessionRefused.Reason.PREGREET,
                    "554 5.5.1 Protocol error: talked before the greeting"),
                    site.events.await(SessionRefused.class, e -> true));
            assertEquals(List.of("INFO PREGREET from [127.0.0.2]: client talked before the greeting; disconnected"),
                    log.levelAndText("PREGREET"));
        }
    }

    @Test
    void aClientConnectingWhileTheRelayStopsIsReportedAsRefusedForShuttingDown() throws Exception {
        TestSite site = one.start("");
        int port = site.port();
        try (SmtpTranscript sending = one.client()) {
            // A message on its way holds the stop open: the relay waits for it, and refuses new clients meanwhile.
            sending.send("EHLO client.example").expect("250");
            sending.send("MAIL FROM:<a@birlinghoven.example>").expect("250");
            sending.send("RCPT TO:<b@birlinghoven.example>").expect("250");
            sending.send("DATA").expect("354");
            sending.raw("Subject: in flight at SIGTERM\r\n\r\nthe content is on its way\r\n");

            Thread stopping = new Thread(site.relay::close, "relay-stop");
            stopping.start();
            Await.until("new clients to be refused", () -> SmtpTranscript.greeting("127.0.0.2", port).startsWith("421 4.3.2"));
            assertEquals(new SessionRefused("127.0.0.2", SessionRefused.Reason.SHUTTING_DOWN,
                    "421 4.3.2 Service shutting down, try again later"),
                    site.events.await(SessionRefused.class, e -> e.reason() == SessionRefused.Reason.SHUTTING_DOWN));

            sending.send(".");
            sending.expect("250 2.0.0 Ok: queued as ");
            stopping.join(20_000);
            assertFalse(stopping.isAlive(), "the relay stopped");
        }
    }

    /** Waits until the relay's session for the client at {@code clientPort} is in its pregreet wait. */
    private static void awaitPregreetWait(int clientPort) throws InterruptedException {
        Await.until("the session to wait before its greeting", () -> Thread.getAllStackTraces().entrySet().stream()
                .anyMatch(t -> t.getKey().getName().endsWith(":" + clientPort)
                        && Arrays.stream(t.getValue()).anyMatch(frame -> frame.getMethodName().equals("pregreet"))));
    }

    @Test
    void aClientWaitingForTheGreetingWhenTheRelayStopsIsReportedAsClosedDuringPregreetAndNotLogged()
            throws Exception {
        TestSite site = one.start("smtpd_pregreet_wait = 2s\n");
        try (CapturedLog log = CapturedLog.of("smtpd");
             SmtpTranscript c = SmtpTranscript.connectFrom("127.0.0.2", site.port())) {
            awaitPregreetWait(c.localPort());
            site.relay.close(); // closes the session during its wait; returns once the session has ended

            assertEquals(new SessionRefused("127.0.0.2", SessionRefused.Reason.CLOSED_DURING_PREGREET,
                    "421 4.3.0 Error: try again later"),
                    site.events.await(SessionRefused.class, e -> true));
            assertEquals("", c.reply(), "no greeting: the connection is closed");
            assertEquals(List.of(), log.levelAndText("127.0.0.2"), "no log line for it, as before");
        }
    }

    @Test
    void aQueuedMessageIsReportedWithItsQueueIdSizeAndRecipients() throws Exception {
        TestSite site = site();
        String reply;
        try (SmtpTranscript c = one.client()) {
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
        TestSite site = site();
        site.dns.clear(); // nowhere.example does not exist: bounced
        try (SmtpTranscript c = one.client()) {
            c.sendMail("alice@tokyo.example", "Subject: two ways\r\n\r\nhello\r\n",
                    "bob@birlinghoven.example", "dave@nowhere.example");
        }
        RecipientAttempted sent = site.events.await(RecipientAttempted.class,
                e -> e.recipient().equals("bob@birlinghoven.example"));
        assertEquals(RecipientOutcome.Status.SENT, sent.outcome().status());
        assertEquals("esmtp", sent.mailer());
        assertTrue(sent.relay().endsWith("[127.0.0.1]:" + one.hub.port()), sent.relay());
        assertTrue(sent.doneMillis() >= sent.startMillis() && sent.startMillis() >= sent.arrivalMillis());

        RecipientAttempted bounced = site.events.await(RecipientAttempted.class,
                e -> e.recipient().equals("dave@nowhere.example"));
        assertEquals(RecipientOutcome.Status.BOUNCED, bounced.outcome().status());
        assertEquals("5.1.2", bounced.outcome().dsn());
        assertEquals(sent.id(), bounced.id());
    }

    @Test
    void aStrangerTryingToRelayIsReportedAsARefusedRecipientWith571() throws Exception {
        TestSite site = site();
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
        TestSite site = site();
        try (SmtpTranscript c = one.client()) {
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

    /** Saves the table as an admin's editor does: a whole new file renamed over the old one. */
    private void saveTable(String text) throws Exception {
        Path table = one.home.resolve("config/mailertable");
        Path tmp = Files.writeString(one.home.resolve("config/.mailertable.tmp"), text);
        Files.move(tmp, table, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    @Test
    void theTableAtStartEachEditLoadedAndABrokenEditRejectedAreReported() throws Exception {
        TestSite site = site();
        Path table = one.home.resolve("config/mailertable");
        assertEquals(new TableSwapped(table, 1, 1, 1, 0, 0),
                site.events.await(TableSwapped.class, e -> e.generation() == 1), "the table at start");

        String hubRoute = "esmtp:[127.0.0.1]:" + one.hub.port();
        saveTable("birlinghoven.example\t" + hubRoute + "\nosaka.example\t" + hubRoute + "\n");
        assertEquals(new TableSwapped(table, 2, 2, 1, 0, 0),
                site.events.await(TableSwapped.class, e -> e.generation() == 2), "one entry added");

        // A typo in the mailer: the whole edit is rejected, the version loaded before stays in use.
        saveTable("birlinghoven.example\t" + hubRoute + "\nosaka.example\tesmpt:[127.0.0.1]\n"
                + "kyoto.example\t" + hubRoute + "\n");
        TableEditRejected rejected = site.events.await(TableEditRejected.class, e -> true);
        assertEquals(table, rejected.file());
        assertEquals(1, rejected.errors());
        assertEquals(2, rejected.stillUsingGeneration());
        assertEquals(2, rejected.stillUsingEntries());
        assertEquals(site.relay.mailertable().status().loadedAt(), rejected.stillUsingLoadedAt());
        assertEquals(2, site.events.all(TableSwapped.class).size(), "nothing of the edit swapped in");
    }

    @Test
    void aTableFileThatCannotBeReadIsReported() throws Exception {
        TestSite site = site();
        Path table = one.home.resolve("config/mailertable");
        Files.delete(table);
        TableUnreadable unreadable = site.events.await(TableUnreadable.class, e -> true);
        assertEquals(table, unreadable.file());
        assertTrue(unreadable.reason().startsWith("no such file"), unreadable.reason());

        saveTable(one.hubRoute());
        assertEquals(new TableSwapped(table, 1, 2, 0, 0, 0),
                site.events.await(TableSwapped.class, e -> e.generation() == 2), "back, the same table");
    }
}
