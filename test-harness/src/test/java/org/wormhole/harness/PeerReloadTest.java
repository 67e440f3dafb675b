package org.wormhole.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetupTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wormhole.link.SiteIdentity;
import org.wormhole.relay.events.LinkWentDown;
import org.wormhole.relay.events.TableEditRejected;
import org.wormhole.relay.events.TableSwapped;
import org.wormhole.relay.peers.LinkStatus;
import org.wormhole.testing.Await;

/**
 * Birlinghoven, linked to Tokyo, gets a third site: the admin adds Paris to {@code peers},
 * runs {@code wormhole reload}, routes {@code paris.example} to it in the mailertable, and mail
 * flows; later Paris is removed the same way. Tokyo's link stays up all along.
 */
class PeerReloadTest {

    private static final String COMMON = "minimal_backoff_time = 1h\nmaximal_backoff_time = 2h\n"
            + "link_minimal_backoff_time = 100ms\nlink_maximal_backoff_time = 500ms\n";

    @TempDir
    Path dir;

    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private <T extends AutoCloseable> T opened(T t) {
        open.add(t);
        return t;
    }

    private static String peer(String name, SiteIdentity key, String more) {
        return name + " { address = \"127.0.0.1\", pins = [\"" + key.pin() + "\"]" + more + " }";
    }

    /** Saves a file as an editor does: a new file renamed over the old one. */
    private static void save(Path file, String text) throws Exception {
        Path tmp = Files.writeString(file.resolveSibling(file.getFileName() + ".tmp"), text);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static Optional<LinkStatus> status(TestSite site, String peer) {
        return site.relay.links().orElseThrow().status(routes -> 0).stream().filter(s -> s.peer().equals(peer)).findFirst();
    }

    private static boolean up(TestSite site, String peer) {
        return status(site, peer).map(s -> s.state() == LinkStatus.State.UP).orElse(false);
    }

    @Test
    void parisIsAddedByAReloadMailFlowsAfterTheTableEditAndTokyosLinkNeverGoesDown() throws Exception {
        SiteIdentity birlKey = SiteIdentity.generate(dir.resolve("birlinghoven/keys"), "birlinghoven", Duration.ofDays(30));
        SiteIdentity tokyoKey = SiteIdentity.generate(dir.resolve("tokyo/keys"), "tokyo", Duration.ofDays(30));
        SiteIdentity parisKey = SiteIdentity.generate(dir.resolve("paris/keys"), "paris", Duration.ofDays(30));
        GreenMail hub = new GreenMail(ServerSetupTest.SMTP.dynamicPort()); // Paris's internal mail hub
        hub.start();
        open.add(hub::stop);

        String table = "tokyo.example\ttsmtp:tokyo\n";
        TestSite birl = opened(new TestSite(dir.resolve("birlinghoven"), table, COMMON
                + "myhostname = relay.birlinghoven.example\nlink_listen = \"127.0.0.1:0\"\n"
                + "link_key_directory = \"" + dir.resolve("birlinghoven/keys") + "\"\n"
                + "peers { " + peer("tokyo", tokyoKey, ", dial = false") + " }\n"));
        birl.startFromFile();
        int linkPort = birl.relay.links().orElseThrow().linkPort();
        TestSite tokyo = opened(new TestSite(dir.resolve("tokyo"), "birlinghoven.example\ttsmtp:birlinghoven\n", COMMON
                + "myhostname = relay.tokyo.example\nlink_key_directory = \"" + dir.resolve("tokyo/keys") + "\"\n"
                + "peers { " + peer("birlinghoven", birlKey, ", port = " + linkPort + ", dial = true") + " }\n"));
        tokyo.start();
        Await.until("the link Tokyo-Birlinghoven", () -> up(birl, "tokyo"));
        var tokyoSince = status(birl, "tokyo").orElseThrow().since();
        // Paris is set up already and dials; Birlinghoven does not know its key yet.
        TestSite paris = opened(new TestSite(dir.resolve("paris"),
                "paris.example\tesmtp:[127.0.0.1]:" + hub.getSmtp().getPort() + "\n", COMMON
                + "myhostname = relay.paris.example\nlink_key_directory = \"" + dir.resolve("paris/keys") + "\"\n"
                + "peers { " + peer("birlinghoven", birlKey, ", port = " + linkPort + ", dial = true") + " }\n"));
        paris.start();

        // A route to Paris before Birlinghoven has it as a peer: the edit is rejected.
        Path mailertable = birl.home.resolve("config/mailertable");
        save(mailertable, table + "paris.example\ttsmtp:paris\n");
        Await.until("the edit to be rejected", () -> birl.events.all(TableEditRejected.class).size() == 1);

        Path conf = birl.home.resolve("config/wormhole.conf");
        String before = Files.readString(conf);
        String tokyoPeer = peer("tokyo", tokyoKey, ", dial = false");
        save(conf, before.replace(tokyoPeer, tokyoPeer + "\n  " + peer("paris", parisKey, ", dial = false")));
        QueueCliTest.Run r = QueueCliTest.wormhole("reload", "--config", conf.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().startsWith("applied: peers: paris added\n"), r.out());
        assertTrue(r.out().endsWith(conf + ": reloaded, 1 change(s) applied, 0 need(s) a restart\n"), r.out());
        Await.until("the link Paris-Birlinghoven", () -> up(birl, "paris") && up(paris, "birlinghoven"));

        // The same edit again: now it is taken.
        int swapped = birl.events.all(TableSwapped.class).size();
        save(mailertable, table + "paris.example\ttsmtp:paris\n# Paris joined\n");
        Await.until("the edit to be taken", () -> birl.events.all(TableSwapped.class).size() > swapped);
        try (SmtpTranscript c = SmtpTranscript.connect(birl.port())) {
            c.expect("220 relay.birlinghoven.example ESMTP");
            assertTrue(c.sendMail("anna@birlinghoven.example", "Subject: bonjour\r\n\r\nsalut\r\n", "paul@paris.example")
                    .startsWith("250"));
        }
        Await.until("Paris's hub to receive it", () -> hub.getReceivedMessages().length == 1);
        assertTrue(GreenMailUtil.getWholeMessage(hub.getReceivedMessages()[0]).contains("salut"));

        // Paris leaves: the table first (the reload refuses a peer the table still routes to), then the peer.
        save(mailertable, table);
        Await.until("the route to Paris to be gone", () -> birl.events.all(TableSwapped.class).size() > swapped + 1);
        save(conf, before);
        r = QueueCliTest.wormhole("reload", "--config", conf.toString());
        assertEquals(0, r.exit(), r.err());
        Await.until("Paris to be told", () -> paris.events.all(LinkWentDown.class).stream()
                .anyMatch(d -> d.reason().contains("peer removed from the configuration")));
        assertTrue(status(birl, "paris").isEmpty(), "link status no longer shows Paris");

        assertTrue(birl.events.all(LinkWentDown.class).stream().noneMatch(d -> d.peer().equals("tokyo")),
                "Birlinghoven saw Tokyo's link go down: " + birl.events.all(LinkWentDown.class));
        assertTrue(tokyo.events.all(LinkWentDown.class).isEmpty(), "Tokyo saw its link go down");
        LinkStatus tokyoNow = status(birl, "tokyo").orElseThrow();
        assertEquals(0, tokyoNow.reconnects(), "Tokyo's link came up once");
        assertEquals(tokyoSince, tokyoNow.since());
    }
}
