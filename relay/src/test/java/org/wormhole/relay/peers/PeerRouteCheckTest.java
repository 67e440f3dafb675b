package org.wormhole.relay.peers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.wormhole.link.Pin;
import org.wormhole.mailertable.LineError;
import org.wormhole.mailertable.Mailertable;
import org.wormhole.relay.config.RelayConfig;

/** Which tsmtp routes of a table name a peer of the configuration, and which point back at this site. */
class PeerRouteCheckTest {

    private static final List<Pin> PINS = List.of(Pin.parse("sha256/" + "A".repeat(43) + "="));
    private static final RelayConfig.PeerConfig TOKYO = new RelayConfig.PeerConfig("tokyo", "relay.tokyo.example", 4650, PINS, true);
    private static final RelayConfig.PeerConfig OSAKA = new RelayConfig.PeerConfig("osaka", "2001:db8::7", 4650, PINS, true);

    private static List<String> findings(PeerRouteCheck check, String table) throws Exception {
        PeerRouteCheck.Findings f = check.check(Mailertable.parse("t", table.getBytes(StandardCharsets.UTF_8)));
        return java.util.stream.Stream.concat(f.errors().stream(), f.warnings().stream()).map(LineError::toString).toList();
    }

    @Test
    void aPeerIsNamedByItsNameOrItsAddressAndTemplatesWaitForTheLookup() throws Exception {
        PeerRouteCheck check = new PeerRouteCheck(List.of(TOKYO, OSAKA), "relay.birlinghoven.example", Optional.empty());
        assertEquals(List.of(), findings(check, """
                a.example     tsmtp:tokyo
                b.example     tsmtp:[relay.tokyo.example]
                c.example     tsmtp:[RELAY.Tokyo.example]:4650
                d.example     tsmtp:[IPv6:2001:db8::7]
                .e.example    tsmtp:%1
                f.example     esmtp:nobody
                """));
        assertEquals(List.of("t:1: tsmtp route to unknown peer \"kyoto\" (configured peers: tokyo at relay.tokyo.example,"
                + " osaka at 2001:db8::7)"), findings(check, "a.example tsmtp:kyoto\n"));
    }

    @Test
    void aPeerThatIsThisSiteIsAWarningButAnotherRelayOnThisMachineIsNot() throws Exception {
        RelayConfig.PeerConfig self = new RelayConfig.PeerConfig("tokyo", "relay.birlinghoven.example", 4650, PINS, true);
        assertEquals(List.of("t:1: warning: tsmtp route points at this site itself (peer tokyo at relay.birlinghoven.example:4650"
                        + " is this site's myhostname)"),
                findings(new PeerRouteCheck(List.of(self), "relay.birlinghoven.example", Optional.empty()), "a.example tsmtp:tokyo\n"));

        RelayConfig.PeerConfig neighbour = new RelayConfig.PeerConfig("tokyo", "127.0.0.1", 4651, PINS, true);
        assertEquals(List.of(), findings(new PeerRouteCheck(List.of(neighbour), "relay.birlinghoven.example",
                Optional.of(new InetSocketAddress("127.0.0.1", 4650))), "a.example tsmtp:tokyo\n"));
    }
}
