package org.wormhole.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wormhole.link.SiteIdentity;
import org.wormhole.testing.Await;

/**
 * A pin copied wrong on one of two sites (Tokyo dials, Birlinghoven listens): the link cannot come
 * up, and both operators are told which side refused which key. The refused side hears it from the
 * TLS alert the other sends in the handshake; both logs say it, and {@code wormhole link status}
 * shows the last refusal on both sites.
 */
class LinkPinRefusalTest {

    @TempDir
    Path dir;

    private SiteIdentity tokyoKey;
    private SiteIdentity birlKey;
    private SiteIdentity stale; // a key neither site has: the wrong pin
    private TestSite tokyo;
    private TestSite birl;
    private LinkLog log;

    @BeforeEach
    void keys() throws Exception {
        tokyoKey = SiteIdentity.generate(dir.resolve("tokyo/keys"), "tokyo", Duration.ofDays(365));
        birlKey = SiteIdentity.generate(dir.resolve("birlinghoven/keys"), "birlinghoven", Duration.ofDays(365));
        stale = SiteIdentity.generate(dir.resolve("stale"), "stale", Duration.ofDays(365));
        log = LinkLog.capture();
    }

    @AfterEach
    void stop() {
        log.close();
        for (AutoCloseable c : new AutoCloseable[] {tokyo, birl}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception ignored) {
                // stopping
            }
        }
    }

    /** The two sites; {@code tokyoPinAtBirl} and {@code birlPinAtTokyo} are the pins each has of the other. */
    private void sites(SiteIdentity tokyoPinAtBirl, SiteIdentity birlPinAtTokyo) throws Exception {
        birl = new TestSite(dir.resolve("birlinghoven"), "tokyo.example\ttsmtp:[127.0.0.1]\n",
                "myhostname = relay.birlinghoven.example\n"
                        + "link_listen = \"127.0.0.1:0\"\n"
                        + "link_key_directory = \"" + dir.resolve("birlinghoven/keys") + "\"\n"
                        + "peers { tokyo { address = \"127.0.0.1\", pins = [\"" + tokyoPinAtBirl.pin()
                        + "\"], dial = false } }\n");
        birl.start(); // first: Tokyo is told the link port it bound
        int linkPort = birl.keepLinkPort();
        tokyo = new TestSite(dir.resolve("tokyo"), "birlinghoven.example\ttsmtp:birlinghoven\n",
                "myhostname = relay.tokyo.example\n"
                        + "link_key_directory = \"" + dir.resolve("tokyo/keys") + "\"\n"
                        + "peers { birlinghoven { address = \"127.0.0.1\", port = " + linkPort
                        + ", pins = [\"" + birlPinAtTokyo.pin() + "\"], dial = true } }\n");
        tokyo.start();
    }

    private static String linkStatus(TestSite site) throws Exception {
        QueueCliTest.Run r = QueueCliTest.wormhole("link", "status", "--config", site.configFile().toString());
        assertEquals(0, r.exit(), r.err());
        return r.out();
    }

    private void awaitLogged(String who, String fragment) throws InterruptedException {
        Await.until(who + " to log '" + fragment + "'", () -> log.first(fragment).isPresent());
    }

    private static void awaitStatus(TestSite site, String line) throws InterruptedException {
        Await.until("link status to show '" + line + "'", () -> {
            try {
                return linkStatus(site).contains(line);
            } catch (Exception | AssertionError e) {
                return false;
            }
        });
    }

    @Test
    void birlinghovenHasAWrongPinForTokyo() throws Exception {
        sites(stale, birlKey);

        // Tokyo's key was refused: it hears so from Birlinghoven's TLS alert.
        awaitLogged("Tokyo", "link to birlinghoven (127.0.0.1:" + birl.config().link().listen().orElseThrow().getPort()
                + ") not up: the peer refused our key " + tokyoKey.pin() + ": is it in their pins?");
        // Birlinghoven refused it, and says whose key it was not.
        awaitLogged("Birlinghoven", "not established: this side refused the key " + tokyoKey.pin()
                + " (CN=tokyo): it is not among the pins of tokyo here [" + stale.pin() + "]");

        awaitStatus(tokyo, "    refused the peer refused this site's key " + tokyoKey.pin() + ": is it in their pins? (");
        awaitStatus(birl, "    refused this side refused the peer's key " + tokyoKey.pin()
                + ": it is not among the pins configured here (");
        assertNoStackTraces();
    }

    @Test
    void tokyoHasAWrongPinForBirlinghoven() throws Exception {
        sites(tokyoKey, stale);

        awaitLogged("Tokyo", "not up: this side refused the peer's key " + birlKey.pin()
                + ": it is not among the pins of birlinghoven here [" + stale.pin() + "]");
        awaitLogged("Birlinghoven", "not established: the peer refused our key " + birlKey.pin() + ": is it in their pins?");

        awaitStatus(tokyo, "    refused this side refused the peer's key " + birlKey.pin()
                + ": it is not among the pins configured here (");
        awaitStatus(birl, "    refused the peer refused this site's key " + birlKey.pin() + ": is it in their pins? (");
        String json = QueueCliTest.wormhole("link", "status", "--json", "--config", birl.configFile().toString()).out();
        assertTrue(json.contains("\"last_refusal\": {\"refused_by\": \"the peer\", \"pin\": \"" + birlKey.pin() + "\""), json);
        assertNoStackTraces();
    }

    private void assertNoStackTraces() {
        assertEquals(java.util.List.of(), log.lines().stream().filter(l -> l.text().contains("\tat ")
                || l.text().contains("Exception:")).toList());
    }
}
