package org.wormhole.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.wormhole.testing.Await;

/**
 * {@code metrics_listen} as Prometheus and an operator see it: a real relay on loopback, scraped
 * over HTTP while mail goes through it, the values moving as the mail does; the text parses as
 * the exposition format ({@link Exposition}). {@code /healthz} answers on the same listener.
 */
class MetricsEndpointTest {

    @RegisterExtension
    final OneSite one = new OneSite();

    @TempDir
    Path dir;

    private static String url(TestSite site, String path) {
        return "http://127.0.0.1:" + site.relay.metricsPort().orElseThrow() + path;
    }

    private static Exposition scrape(TestSite site) throws Exception {
        return Exposition.scrape(url(site, "/metrics"));
    }

    @Test
    void aMessageThroughTheRelayMovesItsCountersAndTheQueueEmptiesAgain() throws Exception {
        // The client is not in mynetworks: it may send to the site's own domain only.
        TestSite site = one.start("metrics_listen = \"127.0.0.1:0\"\nmynetworks = [\"192.0.2.0/24\"]\n"
                + "relay_domains = [\"birlinghoven.example\"]\n");
        Exposition before = scrape(site);
        assertEquals(1, before.value("wormhole_ready"));
        assertEquals(0, before.value("wormhole_smtpd_messages_accepted_total"));
        assertEquals("counter", before.types.get("wormhole_smtpd_messages_accepted_total"), before.types.toString());

        try (SmtpTranscript c = one.client()) {
            c.send("EHLO client.example").expect("250");
            c.send("MAIL FROM:<alice@client.example>").expect("250");
            c.send("RCPT TO:<mallory@outside.example>").expect("554 5.7.1");
            c.send("RCPT TO:<bob@birlinghoven.example>").expect("250");
            c.send("DATA").expect("354");
            c.raw("Subject: counted\r\n\r\nhello\r\n");
            c.send(".").expect("250 2.0.0 Ok: queued as");
            c.send("MAIL FROM:<alice@client.example>").expect("250");
            c.send("RCPT TO:<bob@birlinghoven.example>").expect("250");
            c.send("DATA").expect("354");
            c.raw("Subject: smuggled\n\nhello\r\n"); // a bare LF
            c.send(".").expect("550 5.6.0");
        }
        Await.until("the message at the hub", () -> one.hub.received.size() == 1);
        Await.until("the delivery counted", () -> scrapeQuietly(site)
                .value("wormhole_deliveries_total", "mailer", "esmtp", "status", "sent") == 1);
        Await.until("the queue empty in the metrics", () -> scrapeQuietly(site).samples.stream()
                .filter(s -> s.name().equals("wormhole_queue_messages")).allMatch(s -> s.value() == 0));

        Exposition after = scrape(site);
        assertEquals(1, after.value("wormhole_smtpd_messages_accepted_total"));
        assertTrue(after.value("wormhole_smtpd_accepted_bytes_total") > "Subject: counted\r\n\r\nhello\r\n".length());
        assertEquals(1, after.value("wormhole_smtpd_sessions_total"));
        assertEquals(1, after.value("wormhole_smtpd_rejections_total", "reason", "relay_denied"));
        assertEquals(1, after.value("wormhole_smtpd_rejections_total", "reason", "smuggling"));
        assertEquals(0, after.value("wormhole_smtpd_rejections_total", "reason", "size"));
        assertEquals(0, after.value("wormhole_deliveries_total", "mailer", "esmtp", "status", "deferred"));
        assertEquals(1, after.value("wormhole_delivery_delay_seconds_count", "mailer", "esmtp"));
        assertEquals(1, after.value("wormhole_delivery_delay_seconds_bucket", "mailer", "esmtp", "le", "+Inf"));
        assertEquals(0, after.value("wormhole_queue_oldest_message_age_seconds"));
        assertTrue(after.value("wormhole_queue_disk_free_bytes") > 0);
        assertTrue(after.value("wormhole_queue_minfree_bytes") >= 15 * 1024 * 1024, "1.5 x message_size_limit");
        assertEquals(1, after.value("wormhole_mailertable_entries"));
        assertEquals(0, after.value("wormhole_mailertable_edit_rejected"));
        for (Exposition.Sample s : after.samples) {
            for (String label : s.labels().values()) {
                assertTrue(!label.contains("@") && !label.matches("[0-9A-V]{14}"), "an address or queue id as a label: " + s);
            }
        }
    }

    @Test
    void rejectionsAreCountedByReason() throws Exception {
        TestSite site = one.start("metrics_listen = \"127.0.0.1:0\"\nmynetworks = [\"192.0.2.0/24\"]\n"
                + "relay_domains = [\"birlinghoven.example\"]\nmessage_size_limit = 1K\n"
                + "smtpd_client_connection_rate_limit = 1\nsmtpd_client_connection_count_limit = 0\n");
        try (SmtpTranscript c = one.client()) {
            c.send("EHLO client.example").expect("250");
            c.send("MAIL FROM:<alice@client.example>").expect("250");
            c.send("RCPT TO:<bob@birlinghoven.example>").expect("250");
            c.send("DATA").expect("354");
            c.raw("Subject: too big\r\n\r\n" + ("x".repeat(70) + "\r\n").repeat(20));
            c.send(".").expect("552 5.3.4");
        }
        try (SmtpTranscript second = SmtpTranscript.connect(site.port())) {
            second.expect("421 4.7.0 Error: too many connections from 127.0.0.1, slow down");
        }
        Await.until("the rate refusal counted", () -> scrapeQuietly(site)
                .value("wormhole_smtpd_rejections_total", "reason", "rate") == 1);
        Exposition e = scrape(site);
        assertEquals(1, e.value("wormhole_smtpd_rejections_total", "reason", "size"));
        assertEquals(1, e.value("wormhole_smtpd_sessions_total"), "the refused session was not greeted");
        assertEquals(0, e.value("wormhole_smtpd_messages_accepted_total"));
    }

    @Test
    void healthzSaysReadyWithItsChecksAndTheListenerServesNothingElse() throws Exception {
        TestSite site = one.start("metrics_listen = \"127.0.0.1:0\"\n");
        HttpResponse<String> health = Exposition.get(url(site, "/healthz"));
        assertEquals(200, health.statusCode());
        String[] lines = health.body().split("\n");
        assertEquals("ready", lines[0]);
        assertTrue(lines[1].matches("  spool +ok +" + one.home.resolve("spool") + " writable, \\d+ MiB free.*"), lines[1]);
        assertTrue(lines[2].matches("  mailertable +ok +.*mailertable loaded, 1 entry"), lines[2]);
        assertTrue(lines[3].matches("  listeners +ok +smtp 127\\.0\\.0\\.1:" + site.port() + ", metrics 127\\.0\\.0\\.1:\\d+,"
                + " control socket .*"), lines[3]);

        assertEquals(404, Exposition.get(url(site, "/")).statusCode());
        assertEquals(404, Exposition.get(url(site, "/metrics/../etc/passwd")).statusCode());
        HttpResponse<String> post = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url(site, "/metrics")))
                .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(405, post.statusCode());
        assertEquals("GET, HEAD", post.headers().firstValue("Allow").orElse(""));
    }

    @Test
    void aSpoolBelowQueueMinfreeIsNotReady() throws Exception {
        TestSite site = one.start("metrics_listen = \"127.0.0.1:0\"\nqueue_minfree = 1000000G\n"); // more than any disk
        HttpResponse<String> health = Exposition.get(url(site, "/healthz"));
        assertEquals(503, health.statusCode());
        assertTrue(health.body().startsWith("not ready\n  spool        FAILED  Insufficient system storage"), health.body());
        assertEquals(0, scrape(site).value("wormhole_ready"));
        assertTrue(scrape(site).value("wormhole_queue_disk_free_bytes") < scrape(site).value("wormhole_queue_minfree_bytes"));
    }

    @Test
    void aLinkIsUpInBothSitesMetricsAndCountsTheMailItCarries() throws Exception {
        try (TwoSites two = TwoSites.direct(dir, "metrics_listen = \"127.0.0.1:0\"\nkeepalive_interval = 1s\n")) {
            Await.until("Tokyo's link up in its metrics", () -> scrapeQuietly(two.tokyo)
                    .value("wormhole_link_up", "peer", "birlinghoven") == 1);
            Await.until("Birlinghoven's link up in its metrics", () -> scrapeQuietly(two.birl)
                    .value("wormhole_link_up", "peer", "tokyo") == 1);
            Await.until("a round trip measured (keepalive every second)", () -> scrapeQuietly(two.tokyo)
                    .value("wormhole_link_rtt_seconds", "peer", "birlinghoven") >= 0); // NaN before
            assertEquals("250 2.0.0", TwoSites.send(two.tokyo, "taro@tokyo.example", "bob@birlinghoven.example", "over the link")
                    .substring(0, 9));
            Await.until("the message at Birlinghoven's hub", () -> two.birlHub.getReceivedMessages().length == 1);
            Await.until("Tokyo's delivery over the link counted", () -> scrapeQuietly(two.tokyo)
                    .value("wormhole_deliveries_total", "mailer", "tsmtp", "status", "sent") == 1);
            two.awaitQueuesEmpty();

            Exposition tokyo = scrape(two.tokyo);
            assertEquals(1, tokyo.value("wormhole_link_messages_total", "peer", "birlinghoven", "direction", "sent"));
            assertTrue(tokyo.value("wormhole_link_content_bytes_total", "peer", "birlinghoven", "direction", "sent") > 0);
            assertEquals(0, tokyo.value("wormhole_link_reconnects_total", "peer", "birlinghoven"));
            assertEquals(0, tokyo.value("wormhole_link_waiting_messages", "peer", "birlinghoven"));
            double inThirtyDays = System.currentTimeMillis() / 1000.0 + 30 * 86400;
            assertEquals(inThirtyDays, tokyo.value("wormhole_link_peer_certificate_expiry_timestamp_seconds",
                    "peer", "birlinghoven"), 86400, "TwoSites' keys are made for 30 days");
            assertEquals(inThirtyDays, tokyo.value("wormhole_site_certificate_expiry_timestamp_seconds"), 86400);
            Exposition birl = scrape(two.birl);
            assertEquals(1, birl.value("wormhole_link_messages_total", "peer", "tokyo", "direction", "received"));
            assertEquals(0, birl.value("wormhole_link_handshake_refusals_total", "reason", "other"));

            // A stranger probes Birlinghoven's link port with something that is not TLS.
            try (Socket probe = new Socket("127.0.0.1", two.linkPort)) {
                probe.getOutputStream().write("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                probe.setSoTimeout(20_000);
                probe.getInputStream().read(); // an alert or the end: refused
            } catch (IOException reset) {
                // refused with a reset
            }
            Await.until("the probe counted as a refused handshake", () -> scrapeQuietly(two.birl)
                    .value("wormhole_link_handshake_refusals_total", "reason", "other") == 1);
            assertEquals(1, scrapeQuietly(two.birl).value("wormhole_link_up", "peer", "tokyo"), "the link stays up");
            namedInTheSamplesAndTheDocsIsWhatIsServed(tokyo);
            if (Promtool.find().isPresent()) { // its lint of names, units and HELP texts
                Promtool.Run lint = Promtool.run(dir, tokyo.text, "check", "metrics");
                assertEquals(0, lint.exit(), lint.output());
            }
        }
    }

    /**
     * The alert rules and the dashboard name only metrics a relay serves (a typo there would be
     * an alert that never fires), and relay/METRICS.md lists every metric it serves.
     */
    private static void namedInTheSamplesAndTheDocsIsWhatIsServed(Exposition served) throws Exception {
        Set<String> families = new TreeSet<>(served.types.keySet());
        families.removeIf(f -> !f.startsWith("wormhole_"));
        Set<String> names = new TreeSet<>(families);
        names.addAll(served.names());
        for (String file : List.of("wormhole-alerts.yml", "wormhole-dashboard.json")) {
            Matcher m = METRIC.matcher(Files.readString(MonitoringSamplesTest.SAMPLES.resolve(file)));
            while (m.find()) {
                assertTrue(names.contains(m.group()), file + " names " + m.group() + ", which the relay does not serve: "
                        + names);
            }
        }
        String docs = Files.readString(Path.of("../relay/METRICS.md"));
        for (String family : families) {
            String documented = served.types.get(family).equals("counter") && !family.endsWith("_total")
                    ? family + "_total" : family;
            assertTrue(docs.contains("`" + documented + "`"), "relay/METRICS.md does not list " + documented);
        }
    }

    private static final Pattern METRIC = Pattern.compile("wormhole_[a-z_]+");

    /** A scrape inside a wait's condition, which cannot throw a checked exception. */
    static Exposition scrapeQuietly(TestSite site) {
        try {
            return scrape(site);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
