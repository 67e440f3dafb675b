package org.wormhole.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.wormhole.harness.process.RelayProcess;
import org.wormhole.link.Pin;
import org.wormhole.link.SiteIdentity;
import org.wormhole.relay.queue.QueueId;
import org.wormhole.relay.queue.QueueState;
import org.wormhole.relay.reload.ReloadReport;
import org.wormhole.testing.Await;
import org.wormhole.testing.DeadPort;
import org.wormhole.testing.TestCertificate;

/**
 * {@code wormhole reload}: an admin edits the running relay's wormhole.conf and reloads it. What
 * can change live is in force for the next session; a session in progress and the queue are not
 * touched; a file with errors changes nothing; a key that needs a restart is said to and kept.
 */
class ReloadTest {

    @RegisterExtension
    final OneSite one = new OneSite();

    /** Outside mynetworks (none): this client may only send to relay_domains. */
    private static final String STRANGERS_ONLY = "mynetworks = []\n";

    private Path conf;

    private TestSite start(String moreTable, String extraConfig) throws Exception {
        one.site = new TestSite(one.home, one.hubRoute() + moreTable, extraConfig);
        one.site.startFromFile();
        conf = one.home.resolve("config/wormhole.conf");
        return one.site;
    }

    /** Saves the file as an editor does: a new file renamed over the old one. */
    private void edit(String from, String to) throws Exception {
        String text = Files.readString(conf);
        assertTrue(text.contains(from), text);
        Path tmp = Files.writeString(conf.resolveSibling("wormhole.conf.tmp"), text.replace(from, to));
        Files.move(tmp, conf, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private QueueCliTest.Run reload() {
        return QueueCliTest.wormhole("reload", "--config", conf.toString());
    }

    @Test
    void aDomainAddedToRelayDomainsIsAcceptedAfterTheReloadWhileOpenSessionsAndTheQueueStayAsTheyWere() throws Exception {
        try (DeadPort down = DeadPort.hold()) {
            start("slow.example\tesmtp:[127.0.0.1]:" + down.port() + "\n",
                    STRANGERS_ONLY + "relay_domains = [\"birlinghoven.example\", \"slow.example\"]\n");
            // A message waiting in the queue: its next hop does not answer.
            try (SmtpTranscript c = one.client()) {
                assertTrue(c.sendMail("alice@birlinghoven.example", "Subject: waits\r\n\r\nfor slow\r\n", "carol@slow.example")
                        .startsWith("250"));
            }
            Await.until("the message to be deferred", () -> deferred().size() == 1);
            QueueId waiting = deferred().get(0);

            SmtpTranscript before = one.client();
            before.send("EHLO client.example").expect("250");
            before.send("MAIL FROM:<alice@birlinghoven.example>").expect("250");
            before.send("RCPT TO:<dave@tokyo.example>").expect("554 5.7.1 <dave@tokyo.example>: Relay access denied");

            edit("\"slow.example\"]", "\"slow.example\", \"tokyo.example\"]");
            QueueCliTest.Run r = reload();
            assertEquals(0, r.exit(), r.err());
            assertEquals("applied: relay_domains [\"birlinghoven.example\",\"slow.example\"] -> "
                    + "[\"birlinghoven.example\",\"slow.example\",\"tokyo.example\"]\n"
                    + conf + ": reloaded, 1 change(s) applied, 0 need(s) a restart\n", r.out());

            try (SmtpTranscript after = one.client()) {
                after.send("EHLO client.example").expect("250");
                after.send("MAIL FROM:<alice@birlinghoven.example>").expect("250");
                after.send("RCPT TO:<dave@tokyo.example>").expect("250 2.1.5");
            }
            // The session opened before goes on with the rules it began with.
            before.send("RCPT TO:<dave@tokyo.example>").expect("554 5.7.1");
            before.send("RCPT TO:<bob@birlinghoven.example>").expect("250");
            before.send("DATA").expect("354");
            before.raw("Subject: before\r\n\r\nsent in the session opened before the reload\r\n.\r\n").expect("250 2.0.0");
            before.close();
            Await.until("the hub to receive it", () -> one.hub.received.size() == 1);
            assertEquals(List.of(waiting), deferred(), "the waiting message is still there, untouched");
        }
    }

    @Test
    void aFileWithErrorsIsRefusedWholeWithEveryErrorAndTheRunningConfigurationStays() throws Exception {
        start("", STRANGERS_ONLY + "relay_domains = [\"birlinghoven.example\"]\n");
        edit("relay_domains = [\"birlinghoven.example\"]\n",
                "relay_domains = [\"birlinghoven.example\", \"tokyo.example\"]\nmessage_size_limit = -5\nsmtpd_recipent_limit = 3\n");
        QueueCliTest.Run r = reload();
        assertEquals(1, r.exit());
        assertEquals("", r.out());
        List<String> lines = List.of(r.err().split("\n"));
        String file = java.util.regex.Pattern.quote(conf.toString());
        assertTrue(lines.stream().anyMatch(l -> l.matches(file + ":\\d+: .*message_size_limit.*negative.*")), r.err());
        assertTrue(lines.stream().anyMatch(l -> l.matches(file + ":\\d+: unknown key 'smtpd_recipent_limit'.*")), r.err());
        assertEquals(conf + ": 2 error(s); nothing applied, the running configuration stays", lines.get(lines.size() - 1));
        try (SmtpTranscript c = one.client()) {
            c.send("EHLO client.example").expect("250");
            c.send("MAIL FROM:<alice@birlinghoven.example>").expect("250");
            c.send("RCPT TO:<dave@tokyo.example>").expect("554 5.7.1");
        }

        edit("smtpd_recipent_limit = 3\n", "smtpd_recipient_limit = {\n"); // a syntax error
        r = reload();
        assertEquals(1, r.exit());
        assertTrue(r.err().startsWith(conf + ":"), r.err());
        assertTrue(r.err().contains("nothing applied"), r.err());
    }

    @Test
    void aChangedListenIsReportedAsNeedingARestartAndTheRestIsApplied() throws Exception {
        start("", "");
        int port = one.site.port();
        edit("listen = \"127.0.0.1:0\"\n", "listen = \"127.0.0.1:2526\"\nsmtpd_recipient_limit = 1\n");
        QueueCliTest.Run r = reload();
        assertEquals(0, r.exit(), r.err());
        assertEquals("applied: smtpd_recipient_limit 1000 -> 1\n"
                + "changed, needs a restart: listen 127.0.0.1:0 -> 127.0.0.1:2526\n"
                + conf + ": reloaded, 1 change(s) applied, 1 need(s) a restart\n", r.out());
        assertEquals(port, one.site.port(), "still listening where it started");
        try (SmtpTranscript c = one.client()) {
            c.send("EHLO client.example").expect("250");
            c.send("MAIL FROM:<alice@birlinghoven.example>").expect("250");
            c.send("RCPT TO:<bob@birlinghoven.example>").expect("250");
            c.send("RCPT TO:<carol@birlinghoven.example>").expect("452 4.5.3");
        }
        // Until the restart, each reload says so again.
        ReloadReport again = one.site.relay.reload();
        assertEquals(List.of("changed, needs a restart: listen 127.0.0.1:0 -> 127.0.0.1:2526"), again.lines());
    }

    @Test
    void aNewCertificateIsServedToTheNextStartTls() throws Exception {
        TestCertificate first = TestCertificate.forHost("relay.test.example");
        TestCertificate.PemFiles pem = first.writePem(one.home);
        start("", "smtpd_tls_cert_file = \"" + pem.certFile() + "\"\nsmtpd_tls_key_file = \"" + pem.keyFile() + "\"\n");
        try (SmtpTranscript c = one.client()) {
            c.send("EHLO client.example").expect("250");
            c.send("STARTTLS").expect("220");
            c.startTls(first.clientTrustingOnlyThis());
            assertEquals(first.certificate(), c.serverCertificate());
        }
        // The renewed certificate and key, put in place by rename as certbot's deploy hook would.
        TestCertificate renewed = TestCertificate.forHost("relay.test.example");
        Path staging = Files.createDirectories(one.home.resolve("renewed"));
        TestCertificate.PemFiles next = renewed.writePem(staging);
        Files.move(next.keyFile(), pem.keyFile(), StandardCopyOption.REPLACE_EXISTING);
        Files.move(next.certFile(), pem.certFile(), StandardCopyOption.REPLACE_EXISTING);

        ReloadReport report = one.site.relay.reload();
        assertTrue(report.ok(), report.lines().toString());
        assertEquals(1, report.applied().size(), report.lines().toString());
        assertEquals("smtpd TLS certificate", report.applied().get(0).key());
        assertNotEquals(report.applied().get(0).before(), report.applied().get(0).after());
        try (SmtpTranscript c = one.client()) {
            c.send("EHLO client.example").expect("250");
            c.send("STARTTLS").expect("220");
            c.startTls(renewed.clientTrustingOnlyThis());
            assertEquals(renewed.certificate(), c.serverCertificate());
        }

        // A renewal caught half way: the new certificate is in place, its key not yet.
        TestCertificate third = TestCertificate.forHost("relay.test.example");
        Files.move(third.writePem(staging).certFile(), pem.certFile(), StandardCopyOption.REPLACE_EXISTING);
        report = one.site.relay.reload();
        assertEquals(List.of(pem.keyFile() + ": this key does not belong to the certificate in " + pem.certFile()
                + " (a renewal half written? put the key and the certificate in place together)"), report.errors());
        try (SmtpTranscript c = one.client()) {
            c.send("EHLO client.example").expect("250");
            c.send("STARTTLS").expect("220");
            c.startTls(renewed.clientTrustingOnlyThis());
            assertEquals(renewed.certificate(), c.serverCertificate(), "the certificate in force stays");
        }
    }

    @Test
    void sighupToTheRelayProcessReloadsAsWormholeReloadDoes() throws Exception {
        TestSite site = new TestSite(one.home, one.hubRoute(), STRANGERS_ONLY);
        conf = site.configFile();
        try (RelayProcess relay = RelayProcess.start(one.home, "run", "--config", conf.toString())) {
            relay.awaitErr("running: SMTP on");
            int port = RelayProcess.smtpPort(relay.err());
            try (SmtpTranscript c = SmtpTranscript.connect(port)) {
                c.expect("220");
                c.send("EHLO client.example").expect("250");
                c.send("MAIL FROM:<alice@birlinghoven.example>").expect("250");
                c.send("RCPT TO:<dave@tokyo.example>").expect("554 5.7.1");
            }
            edit("mynetworks = []\n", "mynetworks = []\nrelay_domains = [\"tokyo.example\"]\nlisten = \"127.0.0.1:2526\"\n");
            Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(relay.pid())).start();
            assertEquals(0, kill.waitFor());
            relay.awaitErr(conf + ": reloaded, 1 change(s) applied, 1 need(s) a restart");
            assertTrue(relay.err().contains("reload: applied: relay_domains [] -> [\"tokyo.example\"]"), relay.err());
            assertTrue(relay.err().contains("reload: changed, needs a restart: listen 127.0.0.1:0 -> 127.0.0.1:2526"),
                    relay.err());
            try (SmtpTranscript c = SmtpTranscript.connect(port)) {
                c.expect("220");
                c.send("EHLO client.example").expect("250");
                c.send("MAIL FROM:<alice@birlinghoven.example>").expect("250");
                c.send("RCPT TO:<dave@tokyo.example>").expect("250");
            }
            assertTrue(relay.alive(), "SIGHUP does not stop the relay");
        }
    }

    @Test
    void aPeerTheTableStillRoutesToCannotBeRemovedAndAnAddedPeerIsApplied() throws Exception {
        SiteIdentity.generate(one.home.resolve("keys"), "birlinghoven", Duration.ofDays(30));
        Pin tokyo = SiteIdentity.generate(one.home.resolve("tokyo-keys"), "tokyo", Duration.ofDays(30)).pin();
        Pin osaka = SiteIdentity.generate(one.home.resolve("osaka-keys"), "osaka", Duration.ofDays(30)).pin();
        String tokyoPeer = "tokyo { address = \"127.0.0.1\", pins = [\"" + tokyo + "\"], dial = false }";
        start("tokyo.example\ttsmtp:tokyo\n", "link_key_directory = \"" + one.home.resolve("keys") + "\"\n"
                + "peers { " + tokyoPeer + " }\n");

        edit("peers { " + tokyoPeer + " }", "peers { }");
        QueueCliTest.Run r = reload();
        assertEquals(1, r.exit());
        Path table = one.home.resolve("config/mailertable");
        assertTrue(r.err().startsWith(table + ":2: tsmtp route to unknown peer"), r.err());
        assertTrue(r.err().contains("(" + conf + " no longer has that peer: change the table first)\n"), r.err());
        assertTrue(r.err().endsWith(conf + ": 1 error(s); nothing applied, the running configuration stays\n"), r.err());

        edit("peers { }", "peers { " + tokyoPeer + "\n osaka { address = \"127.0.0.1\", pins = [\"" + osaka
                + "\"], dial = false } }");
        r = reload();
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().startsWith("applied: peers: osaka added\n"), r.out());
        assertTrue(r.out().endsWith(conf + ": reloaded, 1 change(s) applied, 0 need(s) a restart\n"), r.out());

        // A new site key (a rollover in progress) is used from the next start, and said so.
        Path keys = one.home.resolve("keys");
        Pin old = SiteIdentity.load(keys).pin();
        Files.move(keys, one.home.resolve("keys.old"));
        Pin rolled = SiteIdentity.generate(keys, "birlinghoven", Duration.ofDays(30)).pin();
        r = reload();
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("changed, needs a restart: site key " + keys.resolve("site.key") + " " + old + " -> "
                + rolled + "\n"), r.out());
        assertTrue(r.out().endsWith(conf + ": reloaded, 0 change(s) applied, 1 need(s) a restart\n"), r.out());
    }

    @Test
    void aClassicPeerAddedNeedsARestartAndTheLinkPeersStayAsTheyWere() throws Exception {
        SiteIdentity.generate(one.home.resolve("keys"), "birlinghoven", Duration.ofDays(30));
        Pin tokyo = SiteIdentity.generate(one.home.resolve("tokyo-keys"), "tokyo", Duration.ofDays(30)).pin();
        Pin paris = SiteIdentity.generate(one.home.resolve("paris-keys"), "paris", Duration.ofDays(30)).pin();
        String tokyoPeer = "tokyo { address = \"127.0.0.1\", pins = [\"" + tokyo + "\"], dial = false }";
        start("tokyo.example\ttsmtp:tokyo\n", "link_key_directory = \"" + one.home.resolve("keys") + "\"\n"
                + "peers { " + tokyoPeer + " }\n");

        edit("peers { " + tokyoPeer + " }", "peers { " + tokyoPeer + "\n paris { protocol = smtps, address = \"127.0.0.1\","
                + " port = 1, pins = [\"" + paris + "\"] } }");
        QueueCliTest.Run r = reload();
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().startsWith("changed, needs a restart: peers: paris added\n"), r.out());
        assertTrue(r.out().endsWith(conf + ": reloaded, 0 change(s) applied, 1 need(s) a restart\n"), r.out());
        assertEquals(List.of("tokyo"), one.site.relay.links().orElseThrow().status(routes -> 0).stream()
                .map(s -> s.peer()).toList(), "the running peers stay as they were");
    }

    private List<QueueId> deferred() {
        try {
            return one.site.relay.spool().list(QueueState.DEFERRED);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
