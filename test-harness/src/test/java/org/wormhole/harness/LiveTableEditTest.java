package org.wormhole.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wormhole.link.SiteIdentity;
import org.wormhole.mailertable.LineError;
import org.wormhole.mailertable.Lookup;
import org.wormhole.testing.Await;

/** A running relay's table edited by its admin: an edit routing to a peer the relay does not have is refused whole. */
class LiveTableEditTest {

    @TempDir
    Path home;

    private TestSite site;

    @AfterEach
    void stop() {
        if (site != null) {
            site.close();
        }
    }

    @Test
    void anEditWithATsmtpRouteToAnUnknownPeerIsRejectedWholeAndTheOldTableStaysInUse() throws Exception {
        SiteIdentity.generate(home.resolve("keys"), "birlinghoven", Duration.ofDays(30));
        SiteIdentity tokyoKey = SiteIdentity.generate(home.resolve("tokyo-keys"), "tokyo", Duration.ofDays(30));
        site = new TestSite(home, "tokyo.example\ttsmtp:tokyo\nold.example\tesmtp:[mx.old.example]\n",
                "peers { tokyo { address = \"relay.tokyo.example\", pins = [\"" + tokyoKey.pin() + "\"], dial = false } }\n")
                .start();
        Path table = home.resolve("config/mailertable");

        // A good line and a route to Osaka, which is no peer of this relay: nothing of the edit is used.
        Files.writeString(table, "tokyo.example\ttsmtp:tokyo\nnew.example\tesmtp:[mx.new.example]\n"
                + "osaka.example\ttsmtp:osaka\n");
        Await.until("the edit to be rejected", () -> !site.relay.mailertable().status().rejectedErrors().isEmpty());
        assertEquals(List.of(table + ":3: tsmtp route to unknown peer \"osaka\" (configured peers: tokyo at relay.tokyo.example)"),
                site.relay.mailertable().status().rejectedErrors().stream().map(LineError::toString).toList());
        assertEquals("esmtp:[mx.old.example]", ((Lookup.Found) site.relay.mailertable().lookup("x@old.example")).value());
        assertTrue(site.relay.mailertable().lookup("x@new.example") instanceof Lookup.NotFound);

        // Fixed: the peer's name as configured.
        Files.writeString(table, "tokyo.example\ttsmtp:tokyo\nnew.example\tesmtp:[mx.new.example]\n"
                + "osaka.example\ttsmtp:tokyo\n");
        Await.until("the fixed edit to be used", () -> site.relay.mailertable().status().healthy());
        assertEquals("tsmtp:tokyo", ((Lookup.Found) site.relay.mailertable().lookup("x@osaka.example")).value());
    }
}
