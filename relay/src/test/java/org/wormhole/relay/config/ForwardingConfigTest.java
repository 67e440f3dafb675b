package org.wormhole.relay.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The services and forwards blocks as an admin writes them, each mistake reported at its line. */
class ForwardingConfigTest {

    private static final String PIN = "sha256/" + "A".repeat(43) + "=";

    @TempDir
    Path home;

    @Test
    void noServicesAndNoForwardsByDefault() throws Exception {
        assertEquals(ForwardingConfig.none(), ConfigLoader.defaults(home).forwarding());
    }

    @Test
    void aServiceOfferedToTokyoAndAForwardToBirlinghovensImap() throws Exception {
        Path f = Files.writeString(home.resolve("services.conf"), """
                peers {
                  tokyo { address = "relay.tokyo.example", pins = ["%1$s"] }
                  birlinghoven { address = "relay.birlinghoven.example", pins = ["%1$s"] }
                }
                services {
                  imap { connect = "mail.birlinghoven.example:143", peers = [tokyo] }
                  ldap { connect = "[::1]:389", peers = [tokyo], connect_timeout = 2s, idle_timeout = 10m, max_streams = 4 }
                }
                forwards {
                  imap { listen = "127.0.0.1:1143", peer = birlinghoven, service = imap }
                }
                """.formatted(PIN));
        ForwardingConfig c = ConfigLoader.load(f, home).forwarding();
        assertEquals(List.of(
                new ForwardingConfig.Service("imap", "mail.birlinghoven.example", 143, Set.of("tokyo"),
                        Duration.ofSeconds(10), Duration.ofHours(1), 16),
                new ForwardingConfig.Service("ldap", "::1", 389, Set.of("tokyo"), Duration.ofSeconds(2),
                        Duration.ofMinutes(10), 4)), c.services());
        assertEquals(List.of(new ForwardingConfig.Forward("imap", new InetSocketAddress("127.0.0.1", 1143),
                "birlinghoven", "imap")), c.forwards());
        assertEquals("[::1]:389", c.services().get(1).target());
        String shown = ConfigLoader.render(f.toString(), f, home);
        assertTrue(shown.contains("services = {\"imap\":{\"connect\":\"mail.birlinghoven.example:143\",\"connect_timeout\":\"10s\","
                + "\"idle_timeout\":\"3600s\",\"max_streams\":16,\"peers\":[\"tokyo\"]}"), shown);
        assertTrue(shown.contains("forwards = {\"imap\":{\"listen\":\"127.0.0.1:1143\""), shown);
    }

    @Test
    void everyMistakeIsReportedAtItsLine() throws Exception {
        Path f = Files.writeString(home.resolve("bad.conf"), """
                peers {
                  tokyo { address = "relay.tokyo.example", pins = ["%1$s"] }
                  paris { address = "mx.paris.example", pins = ["%1$s"], protocol = smtps }
                }
                services {
                  imap { connect = "mail.example", peers = [tokyo] }
                  pop3 { connect = "mail.example:110", peers = [osaka] }
                  smtp { connect = "mail.example:25", peers = [paris], colour = blue }
                  Web { connect = "www.example:80", peers = [tokyo] }
                }
                forwards {
                  a { listen = "127.0.0.1:1143", peer = tokyo, service = imap }
                  b { listen = "127.0.0.1:1143", peer = nowhere, service = "IMAP!" }
                  c { peer = tokyo }
                }
                """.formatted(PIN));
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(f, home));
        assertEquals(List.of(
                f + ":9: services.Web: 'Web': a service name is 1..64 lower-case letters, digits, '.', '-', '_'",
                f + ":6: services.imap: connect: 'mail.example': expected host:port, e.g. mail.example:143",
                f + ":7: services.pop3: peers: unknown peer 'osaka' (the peers block names paris, tokyo)",
                f + ":8: services.smtp: colour: unknown field 'colour' (known: connect, connect_timeout, idle_timeout,"
                        + " max_streams, peers)",
                f + ":8: services.smtp: peers: peer 'paris' is a classic MTA: services go over a link only",
                f + ":13: forwards.b: listen: forwards.a listens on 127.0.0.1:1143 already",
                f + ":13: forwards.b: peer: unknown peer 'nowhere' (the peers block names paris, tokyo)",
                f + ":13: forwards.b: service: 'IMAP!': a service name is 1..64 lower-case letters, digits, '.', '-', '_'",
                f + ":14: forwards.c: listen is missing",
                f + ":14: forwards.c: service is missing"),
                e.problems());
    }
}
