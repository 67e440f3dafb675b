package org.wormhole.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.wormhole.cli.CliRun.wormhole;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wormhole.link.LinkTraffic;
import org.wormhole.relay.peers.LinkStatus;

/** {@code wormhole link status} as an operator reads it; the running relay's side is in the test harness. */
class LinkCliTest {

    @TempDir
    Path home;

    private static final Instant NOW = Instant.parse("2026-11-22T12:00:00Z");
    private static final String TOKYO_PIN = "sha256/" + "A".repeat(43) + "=";
    private static final String NEXT_PIN = "sha256/" + "B".repeat(43) + "=";

    private static LinkStatus up() {
        return LinkStatus.builder("tokyo").address("relay.tokyo.example:4650").dial(true).state(LinkStatus.State.UP)
                .since(NOW.minus(Duration.ofHours(3))).rtt(Duration.ofMillis(42))
                .traffic(new LinkTraffic.Counts(3, 5_000, 1, 2_500_000)).waiting(0).reconnects(2)
                .lastError("the peer closed the connection").lastErrorAt(NOW.minus(Duration.ofHours(4)))
                .presentedPin(TOKYO_PIN).configuredPins(List.of(TOKYO_PIN, NEXT_PIN))
                .peerNotAfter(NOW.plus(Duration.ofDays(12))).ownNotAfter(NOW.plus(Duration.ofDays(1000))).rekeys(4)
                .lastRekey(NOW.minus(Duration.ofMinutes(5))).build();
    }

    @Test
    void withoutARunningRelayLinkStatusSaysSoAndFails() throws Exception {
        Path conf = Files.writeString(home.resolve("wormhole.conf"), "queue_directory = \"" + home.resolve("spool") + "\"\n");
        CliRun r = wormhole("link", "status", "--config", conf.toString());
        assertEquals(1, r.exit());
        assertEquals("", r.out());
        assertTrue(r.err().startsWith("no relay is running on " + home.resolve("spool")), r.err());
    }

    @Test
    void linkWithoutASubcommandIsAUsageError() {
        CliRun r = wormhole("link");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("missing subcommand: status"), r.err());
    }

    @Test
    void aStatusSurvivesTheControlSocketLineWithEveryField() {
        LinkStatus s = up();
        assertEquals(s, LinkStatus.parse(s.toLine()));
        LinkStatus never = LinkStatus.builder("branch office").address("10.0.0.7:4650").dial(false)
                .state(LinkStatus.State.DOWN).since(NOW).traffic(new LinkTraffic.Counts(0, 0, 0, 0)).waiting(7)
                .configuredPins(List.of(TOKYO_PIN)).ownNotAfter(NOW).build();
        assertEquals(never, LinkStatus.parse(never.toLine()));
    }

    @Test
    void theTableShowsEachPeerWithItsPinsCertificatesAndWarnings() {
        String t = LinkCommand.table(List.of(up()), NOW);
        String[] lines = t.split("\n");
        assertTrue(lines[0].matches("PEER +STATE +SINCE +RTT +SENT +RECEIVED +WAITING +RECONNECTS +LAST ERROR"), lines[0]);
        assertTrue(lines[1].matches("tokyo +up +\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d +42 ms +3 msgs, 4\\.9 KiB"
                + " +1 msg, 2\\.4 MiB +0 +2 +the peer closed the connection \\(.*\\)"), lines[1]);
        assertEquals("    address relay.tokyo.example:4650 (this site dials it)", lines[2]);
        assertEquals("    pins    configured " + TOKYO_PIN + ", " + NEXT_PIN, lines[3]);
        assertEquals("            presented  " + TOKYO_PIN, lines[4]);
        assertTrue(lines[5].matches("    certs   peer's expires \\d{4}-\\d\\d-\\d\\d, this site's expires .*"), lines[5]);
        assertTrue(lines[6].matches("    rekeyed 4 times, last at .* on this link"), lines[6]);
        assertEquals("    WARNING: the peer's certificate expires in 12 days", lines[7]);
        assertEquals(8, lines.length, t);
    }

    @Test
    void anExpiredCertificateIsShownAsSuch() {
        LinkStatus s = up();
        LinkStatus expired = s.toBuilder().peerNotAfter(NOW.plus(Duration.ofDays(90)))
                .ownNotAfter(NOW.minus(Duration.ofDays(3))).build();
        String t = LinkCommand.table(List.of(expired), NOW);
        assertTrue(t.endsWith("    WARNING: this site's certificate expired 3 days ago\n"), t);
        assertTrue(!t.contains("peer's certificate"), t);
    }

    @Test
    void aLinkThePeerDialedIsRekeyedByThePeer() {
        LinkStatus s = up();
        LinkStatus accepted = s.toBuilder().dial(false).rekeys(-1).lastRekey(null).build();
        assertEquals(accepted, LinkStatus.parse(accepted.toLine()));
        String t = LinkCommand.table(List.of(accepted), NOW);
        assertTrue(t.contains("    address relay.tokyo.example:4650 (it dials this site)\n"), t);
        assertTrue(t.contains("\n    rekeyed by the peer (the side that dialed a link rekeys it)\n"), t);
    }

    @Test
    void theLastKeyRefusalIsShownWithWhoRefusedWhichKeyAndWhen() {
        LinkStatus s = up();
        LinkStatus refused = s.toBuilder().state(LinkStatus.State.CONNECTING).rtt(null).waiting(1)
                .lastError("dial failed: the peer refused our key").lastErrorAt(NOW.minusSeconds(30)).presentedPin(null)
                .peerNotAfter(null).rekeys(0).lastRekey(null)
                .lastRefusal(new LinkStatus.Refusal(true, NEXT_PIN, NOW.minusSeconds(30), "relay.tokyo.example:4650"))
                .build();
        assertEquals(refused, LinkStatus.parse(refused.toLine()), "carried over the control socket unchanged");
        String t = LinkCommand.table(List.of(refused), NOW);
        assertTrue(t.contains("\n    refused the peer refused this site's key " + NEXT_PIN + ": is it in their pins? ("
                + "2026-11-22 11:59:30, connection with relay.tokyo.example:4650)\n"), t);
        String json = LinkCommand.json(List.of(refused), NOW);
        assertTrue(json.contains("\"last_refusal\": {\"refused_by\": \"the peer\", \"pin\": \"" + NEXT_PIN
                + "\", \"at\": \"2026-11-22T11:59:30Z\""), json);
        assertTrue(LinkCommand.json(List.of(up()), NOW).contains("\"last_refusal\": null"));
    }

    @Test
    void jsonHasTheSameFacts() {
        String j = LinkCommand.json(List.of(up()), NOW);
        assertTrue(j.startsWith("[\n  {\"peer\": \"tokyo\", \"address\": \"relay.tokyo.example:4650\", \"dial\": true,"
                + " \"state\": \"up\""), j);
        assertTrue(j.contains("\"rtt_ms\": 42.000, \"messages_sent\": 3, \"bytes_sent\": 5000"), j);
        assertTrue(j.contains("\"warnings\": [\"the peer's certificate expires in 12 days\"]}\n]\n"), j);
        assertEquals("[]\n", LinkCommand.json(List.of(), NOW));
    }
}
