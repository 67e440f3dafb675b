package org.wormhole.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wormhole.relay.queue.QueueState;
import org.wormhole.testing.Await;

/**
 * Limits one client cannot exhaust (Postfix's anvil): connections at once and new connections
 * per time unit from one address, and a deadline for the DATA phase as a whole. Loopback's
 * 127.0.0.2, 127.0.0.3, ... are distinct clients here; mynetworks is 127.0.0.9 only.
 */
class SmtpClientLimitsTest {

    private static final String CLIENTS = "mynetworks = [\"127.0.0.9/32\"]\n"
            + "relay_domains = [\"birlinghoven.example\"]\n";

    @TempDir
    Path home;

    private TestSite site;
    private final List<SmtpTranscript> open = new ArrayList<>();
    private CapturedLog log;

    @AfterEach
    void stop() throws IOException {
        for (SmtpTranscript c : open) {
            c.close();
        }
        if (site != null) {
            site.close();
        }
        if (log != null) {
            log.close();
        }
    }

    private void site(String config, TestClock clock) throws Exception {
        site = new TestSite(home, "birlinghoven.example\tesmtp:[127.0.0.1]:9\n", CLIENTS + config);
        if (clock != null) {
            site.clock = clock;
        }
        site.start();
    }

    /** Connects from {@code address}, keeps the session open; returns its greeting. */
    private String connectFrom(String address) throws IOException {
        SmtpTranscript c = SmtpTranscript.connectFrom(address, site.port());
        open.add(c);
        return c.reply();
    }

    /** Connects from {@code address}, reads the greeting, quits. */
    private String greetingFor(String address) throws IOException {
        try (SmtpTranscript c = SmtpTranscript.connectFrom(address, site.port())) {
            String greeting = c.reply();
            if (greeting.startsWith("220")) {
                c.send("QUIT").expect("221");
            }
            return greeting;
        }
    }

    @Test
    void aClientOverItsConnectionCountIsRefusedWhileOthersGetIn() throws Exception {
        log = CapturedLog.capture();
        site("smtpd_client_connection_count_limit = 3\nsmtpd_client_connection_rate_limit = 0\n", null);
        for (int i = 0; i < 3; i++) {
            assertTrue(connectFrom("127.0.0.2").startsWith("220 relay.test.example ESMTP"));
        }
        for (int i = 0; i < 3; i++) {
            try (SmtpTranscript c = SmtpTranscript.connectFrom("127.0.0.2", site.port())) {
                assertEquals("421 4.7.0 Error: too many connections from 127.0.0.2", c.reply());
                assertTrue(c.closedByServer());
            }
        }
        assertTrue(greetingFor("127.0.0.3").startsWith("220"), "another client still gets in");
        for (int i = 0; i < 5; i++) {
            assertTrue(connectFrom("127.0.0.9").startsWith("220"), "mynetworks is exempt");
        }
        assertEquals(1, log.containing("connection count limit exceeded").size(), "logged once: " + log.lines());
        assertEquals("WARN", log.containing("connection count limit exceeded").get(0).level());

        open.remove(0).close(); // one of 127.0.0.2's sessions ends: its place is free again
        Await.until("127.0.0.2 to get in again", () -> {
            try {
                return greetingFor("127.0.0.2").startsWith("220");
            } catch (IOException e) {
                return false;
            }
        });
    }

    @Test
    void aClientOverItsConnectionRateIsRefusedUntilTheTimeUnitIsOver() throws Exception {
        TestClock clock = new TestClock();
        site("smtpd_client_connection_count_limit = 0\nsmtpd_client_connection_rate_limit = 3\n"
                + "anvil_rate_time_unit = 60s\n", clock);
        for (int i = 0; i < 3; i++) {
            assertTrue(greetingFor("127.0.0.2").startsWith("220"));
        }
        assertEquals("421 4.7.0 Error: too many connections from 127.0.0.2, slow down", greetingFor("127.0.0.2"));
        assertTrue(greetingFor("127.0.0.3").startsWith("220"), "another client still gets in");
        for (int i = 0; i < 5; i++) {
            assertTrue(greetingFor("127.0.0.9").startsWith("220"), "mynetworks is exempt");
        }
        clock.advance(Duration.ofSeconds(61));
        assertTrue(greetingFor("127.0.0.2").startsWith("220"), "a new time unit");
    }

    @Test
    void aClientTricklingItsMessageIsCutAtTheDataDeadlineAndNothingIsQueued() throws Exception {
        // Deadline: smtpd_timeout (1s) + 1s per 1000 octets. A byte every 50 ms never trips
        // the per-read timeout of 1s; only the deadline stops it.
        site("smtpd_timeout = 1s\nsmtpd_min_data_rate = 1000\n", null);
        try (SmtpTranscript c = SmtpTranscript.connectFrom("127.0.0.2", site.port())) {
            c.expect("220");
            c.send("EHLO trickler.example").expect("250");
            c.send("MAIL FROM:<slow@trickler.example>").expect("250");
            c.send("RCPT TO:<bob@birlinghoven.example>").expect("250");
            c.send("DATA").expect("354");
            c.raw("Subject: one byte at a time\r\n\r\n");
            boolean cutWhileSending = false;
            for (int i = 0; i < 200 && !cutWhileSending; i++) { // at most 10 s
                try {
                    c.raw("x");
                    cutWhileSending = c.replyWaiting();
                } catch (IOException closed) {
                    cutWhileSending = true;
                }
                Thread.sleep(50); // the client's behaviour under test, not a synchronization
            }
            assertTrue(cutWhileSending, "cut while the client was still sending");
            assertEquals("421 4.4.2 relay.test.example Error: timeout exceeded", c.reply());
            assertTrue(c.closedByServer());
        }
        int queued = 0;
        for (QueueState s : QueueState.values()) {
            queued += site.relay.spool().list(s).size();
        }
        assertEquals(0, queued, "nothing queued");
    }
}
