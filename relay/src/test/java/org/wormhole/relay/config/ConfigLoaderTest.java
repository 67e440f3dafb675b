package org.wormhole.relay.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The configuration as an admin writes it: defaults, overrides, and every mistake reported by line. */
class ConfigLoaderTest {

    @TempDir
    Path home;

    @Test
    void theEmbeddedDefaultsAreASafeLoopbackRelay() throws Exception {
        RelayConfig c = ConfigLoader.defaults(home);
        assertEquals("127.0.0.1", c.smtpd().listen().getAddress().getHostAddress());
        assertEquals(2525, c.smtpd().listen().getPort());
        assertEquals("[127.0.0.0/8, ::1/128]", c.smtpd().mynetworks().toString());
        assertEquals(List.of(), c.smtpd().relayDomains());
        assertEquals(home.resolve("spool"), c.queue().directory());
        assertEquals(home.resolve("config/mailertable"), c.mailertable().file());
        assertEquals(Duration.ofMinutes(5), c.queue().minimalBackoff());
        assertEquals(Duration.ofHours(1), c.queue().maximalBackoff());
        assertEquals(Duration.ofDays(5), c.queue().maximalQueueLifetime());
        assertEquals(Duration.ofHours(4), c.queue().delayWarningTime());
        assertEquals(10L * 1024 * 1024, c.smtpd().messageSizeLimit());
        assertEquals(50, c.queue().hopcountLimit());
    }

    @Test
    void longLinesAreAcceptedAndFoldedOnDeliveryAndNulIsRefusedByDefault() throws Exception {
        RelayConfig c = ConfigLoader.defaults(home);
        assertEquals(0, c.smtpd().lineLengthLimit(), "no line limit of its own: message_size_limit bounds a line");
        assertTrue(c.smtpd().forbidNulInContent());
        assertEquals(998, c.delivery().lineLengthLimit());

        c = ConfigLoader.fromText("t.conf", "smtpd_line_length_limit = 64K\nsmtpd_forbid_nul_in_content = no\n"
                + "smtp_line_length_limit = 0\n", home);
        assertEquals(65536, c.smtpd().lineLengthLimit());
        assertEquals(false, c.smtpd().forbidNulInContent());
        assertEquals(0, c.delivery().lineLengthLimit());

        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigLoader.fromText("t.conf", "\nsmtp_line_length_limit = 1\n", home));
        assertEquals(List.of("t.conf:2: smtp_line_length_limit: must be 0 (no folding) or at least 2: 1"), e.problems());
    }

    @Test
    void aFileNeedsOnlyTheKeysItChanges() throws Exception {
        Path f = Files.writeString(home.resolve("site.conf"), """
                # Birlinghoven
                myhostname = relay.birlinghoven.example
                listen = "[::1]:2626"
                relay_domains = [birlinghoven.example, .birlinghoven.example]
                queue_directory = /var/spool/wormhole
                """);
        RelayConfig c = ConfigLoader.load(f, home);
        assertEquals("relay.birlinghoven.example", c.myhostname());
        assertEquals(2626, c.smtpd().listen().getPort());
        assertEquals(List.of("birlinghoven.example", ".birlinghoven.example"), c.smtpd().relayDomains());
        assertEquals(Path.of("/var/spool/wormhole"), c.queue().directory());
        assertEquals(Duration.ofMinutes(5), c.queue().minimalBackoff(), "everything else from the defaults");
    }

    @Test
    void everyMistakeIsReportedWithFileAndLine() throws Exception {
        Path f = Files.writeString(home.resolve("bad.conf"), """
                myhostname = relay.example
                mynetwork = ["10.0.0.0/8"]
                mynetworks = ["10.0.0.0/33"]
                message_size_limit = lots
                minimal_backoff_time = 2h
                smtp_tls_security_level = always
                listen = "127.0.0.1:99999"
                """);
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(f, home));
        List<String> p = e.problems();
        assertEquals(f + ":2: unknown key 'mynetwork' (did you mean 'mynetworks'?)", p.get(0), p.toString());
        assertTrue(p.stream().anyMatch(s -> s.startsWith(f + ":3: mynetworks: bad CIDR '10.0.0.0/33'")), p.toString());
        assertTrue(p.stream().anyMatch(s -> s.startsWith(f + ":4: ") && s.contains("message_size_limit")), p.toString());
        assertTrue(p.stream().anyMatch(s -> s.startsWith(f + ":6: smtp_tls_security_level: 'always'")), p.toString());
        assertTrue(p.stream().anyMatch(s -> s.startsWith(f + ":7: listen: port 99999")), p.toString());
        // Checked also when other keys are wrong (it used to wait for a run with no other mistake).
        assertTrue(p.contains(f + ":5: minimal_backoff_time is longer than maximal_backoff_time"), p.toString());
        assertEquals(6, p.size(), p.toString());
    }

    @Test
    void threeWrongKeysAndAPeerWithTwoMistakesAreAllReportedEachAtItsLine() throws Exception {
        String pin = "sha256/" + "A".repeat(43) + "=";
        Path f = Files.writeString(home.resolve("five.conf"), """
                myhostname = relay.example
                mynetworks = ["10.0.0.0/33"]
                minimal_backoff_time = 2h
                maximal_backoff_time = 1h
                smtpd_timeout = 0s
                peers {
                  tokyo {
                    address = ""
                    port = 70000
                    pins = ["%s"]
                  }
                }
                """.formatted(pin));
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(f, home));
        assertEquals(List.of(
                f + ":2: mynetworks: bad CIDR '10.0.0.0/33': prefix length must be 0-32",
                f + ":5: smtpd_timeout: must be longer than 0s",
                f + ":8: peers.tokyo: address is empty",
                f + ":9: peers.tokyo: port 70000 is not 0-65535",
                f + ":3: minimal_backoff_time is longer than maximal_backoff_time"),
                e.problems());
    }

    @Test
    void aPeersMissingFieldsAreReportedAtThePeerEachOnItsOwn() throws Exception {
        Path f = Files.writeString(home.resolve("missing.conf"), """
                peers {
                  osaka { dial = maybe }
                }
                """);
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(f, home));
        List<String> p = e.problems();
        assertTrue(p.contains(f + ":2: peers.osaka: address is missing"), p.toString());
        assertTrue(p.contains(f + ":2: peers.osaka: pins is missing"), p.toString());
        assertTrue(p.stream().anyMatch(s -> s.startsWith(f + ":2: peers.osaka: ") && s.contains("dial")), p.toString());
        assertEquals(3, p.size(), p.toString());
    }

    @Test
    void aMailertableEditSettlesForOneSecondUnlessConfigured() throws Exception {
        assertEquals(Duration.ofSeconds(1), ConfigLoader.defaults(home).mailertable().settleTime());
        Path f = Files.writeString(home.resolve("site.conf"), "mailertable_settle_time = 250ms\n");
        assertEquals(Duration.ofMillis(250), ConfigLoader.load(f, home).mailertable().settleTime());
        Path bad = Files.writeString(home.resolve("bad.conf"), "mailertable_settle_time = -1s\n");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(bad, home));
        assertTrue(e.problems().get(0).startsWith(bad + ":1: mailertable_settle_time"), e.problems().toString());
    }

    @Test
    void aSyntaxErrorIsReportedWithItsLine() throws Exception {
        Path f = Files.writeString(home.resolve("broken.conf"), "myhostname = relay.example\nlisten = [\n");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(f, home));
        assertTrue(e.problems().get(0).startsWith(f + ":"), e.problems().toString());
    }

    @Test
    void aMissingFileIsAClearError() {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(home.resolve("nope.conf"), home));
        assertEquals(List.of(home.resolve("nope.conf") + ": cannot read (no such file)"), e.problems());
    }

    @Test
    void oneSmtpClientCannotTakeEveryConnectionByDefault() throws Exception {
        RelayConfig c = ConfigLoader.defaults(home);
        assertEquals(new org.wormhole.relay.smtpd.ClientLimits.Settings(50, 300, Duration.ofSeconds(60)),
                c.smtpd().clientLimits());
        assertEquals(500, c.smtpd().minDataRate());
        Path f = Files.writeString(home.resolve("limits.conf"), """
                smtpd_client_connection_count_limit = -1
                smtpd_min_data_rate = -5
                """);
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(f, home));
        assertEquals(List.of(f + ":1: smtpd_client_connection_count_limit: must not be negative",
                f + ":2: smtpd_min_data_rate: must not be negative"), e.problems());
    }

    @Test
    void peersAreNamedWithAddressPortPinsAndWhoDials() throws Exception {
        String pin = "sha256/" + "A".repeat(43) + "=";
        Path f = Files.writeString(home.resolve("peers.conf"), """
                link_listen = "127.0.0.1:4650"
                peers {
                  tokyo { address = "relay.tokyo.example", pins = ["%s"] }
                  branch { address = "10.9.8.7", port = 4651, pins = ["%s"], dial = false }
                }
                """.formatted(pin, pin));
        RelayConfig c = ConfigLoader.load(f, home);
        assertEquals(4650, c.link().listen().orElseThrow().getPort());
        assertEquals(List.of(
                new RelayConfig.PeerConfig("branch", "10.9.8.7", 4651, List.of(org.wormhole.link.Pin.parse(pin)), false),
                new RelayConfig.PeerConfig("tokyo", "relay.tokyo.example", 4650, List.of(org.wormhole.link.Pin.parse(pin)), true)),
                c.peers());
        assertEquals(home.resolve("keys"), c.link().keyDirectory());
    }

    @Test
    void everyPeerMistakeIsReported() throws Exception {
        Path f = Files.writeString(home.resolve("badpeers.conf"), """
                peers {
                  tokyo { address = "relay.tokyo.example", pins = ["md5/xyz"] }
                  osaka { pins = [] , colour = blue }
                }
                """);
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(f, home));
        String all = String.join("\n", e.problems());
        assertTrue(all.contains("peers.tokyo: 'md5/xyz' is not a pin"), all);
        assertTrue(all.contains("peers.osaka: unknown field 'colour' (known: address, port, pins, dial, protocol)"), all);
        assertTrue(all.contains("peers.osaka: ") && all.contains("address"), all);
    }

    @Test
    void aPeerStillRunningAClassicMtaIsReachedBySmtpsOrStarttlsOnItsStandardPort() throws Exception {
        String pin = "sha256/" + "B".repeat(43) + "=";
        Path f = Files.writeString(home.resolve("classic.conf"), """
                peers {
                  paris { protocol = smtps, address = "stunnel.paris.example", pins = ["%s"] }
                  rome { protocol = starttls, address = "mx.rome.example", port = 2525, pins = ["%s"] }
                  lyon { protocol = starttls, address = "mx.lyon.example", pins = ["%s"] }
                  tokyo { protocol = link, address = "relay.tokyo.example", pins = ["%s"] }
                }
                """.formatted(pin, pin, pin, pin));
        List<org.wormhole.link.Pin> pins = List.of(org.wormhole.link.Pin.parse(pin));
        assertEquals(List.of(
                new RelayConfig.PeerConfig("lyon", "mx.lyon.example", 25, pins, true, RelayConfig.PeerConfig.Protocol.STARTTLS),
                new RelayConfig.PeerConfig("paris", "stunnel.paris.example", 465, pins, true, RelayConfig.PeerConfig.Protocol.SMTPS),
                new RelayConfig.PeerConfig("rome", "mx.rome.example", 2525, pins, true, RelayConfig.PeerConfig.Protocol.STARTTLS),
                new RelayConfig.PeerConfig("tokyo", "relay.tokyo.example", 4650, pins, true)),
                ConfigLoader.load(f, home).peers());
    }

    @Test
    void aClassicPeerNeedsPinsAKnownProtocolAndIsAlwaysDialed() throws Exception {
        String pin = "sha256/" + "B".repeat(43) + "=";
        Path f = Files.writeString(home.resolve("badclassic.conf"), """
                peers {
                  paris { protocol = smtp, address = "stunnel.paris.example", pins = ["%s"] }
                  rome { protocol = starttls, address = "mx.rome.example", pins = [] }
                  lyon { protocol = smtps, address = "mx.lyon.example", pins = ["%s"], dial = false }
                }
                """.formatted(pin, pin));
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(f, home));
        String all = String.join("\n", e.problems());
        assertTrue(all.contains("peers.paris: protocol 'smtp' is not one of link, smtps, starttls"), all);
        assertTrue(all.contains("peers.rome: pins must hold one pin"), all);
        assertTrue(all.contains("peers.lyon: dial = false is for link peers only"), all);
    }

    @Test
    void linksAreRekeyedHourlyOrAfterAGibibyteUnlessConfiguredOtherwise() throws Exception {
        RelayConfig defaults = ConfigLoader.defaults(home);
        assertEquals(Duration.ofHours(1), defaults.link().rekeyInterval());
        assertEquals(1L << 30, defaults.link().rekeyBytes());

        Path f = Files.writeString(home.resolve("rekey.conf"), """
                link_rekey_interval = 0
                link_rekey_bytes = 256MiB
                """);
        RelayConfig c = ConfigLoader.load(f, home);
        assertEquals(Duration.ZERO, c.link().rekeyInterval());
        assertEquals(256L << 20, c.link().rekeyBytes());

        Path bad = Files.writeString(home.resolve("bad-rekey.conf"), """
                link_rekey_interval = -5m
                link_rekey_bytes = 1KiB
                """);
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(bad, home));
        assertEquals(List.of(bad + ":1: link_rekey_interval: must not be negative",
                bad + ":2: link_rekey_bytes: must be 0 (never) or at least 64KiB"), e.problems());
    }

    @Test
    void aLinkUsesEightConnectionsUnlessConfiguredAndAtMostSixteen() throws Exception {
        assertEquals(8, ConfigLoader.defaults(home).link().lanes());
        Path one = Files.writeString(home.resolve("one-lane.conf"), "link_lanes = 1\n");
        assertEquals(1, ConfigLoader.load(one, home).link().lanes());

        Path bad = Files.writeString(home.resolve("bad-lanes.conf"), "link_lanes = 17\n");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(bad, home));
        assertEquals(List.of(bad + ":1: link_lanes: must be 1..16: 17"), e.problems());
    }

    @Test
    void aPeerIsRedialedAfterOneSecondDoublingToAMinuteUnlessConfigured() throws Exception {
        RelayConfig defaults = ConfigLoader.defaults(home);
        assertEquals(Duration.ofSeconds(1), defaults.link().minimalBackoff());
        assertEquals(Duration.ofSeconds(60), defaults.link().maximalBackoff());
        assertEquals(Duration.ofSeconds(10), defaults.link().connectTimeout());

        Path f = Files.writeString(home.resolve("redial.conf"), """
                link_minimal_backoff_time = 5s
                link_maximal_backoff_time = 10m
                link_connect_timeout = 30s
                """);
        RelayConfig c = ConfigLoader.load(f, home);
        assertEquals(Duration.ofSeconds(5), c.link().minimalBackoff());
        assertEquals(Duration.ofMinutes(10), c.link().maximalBackoff());
        assertEquals(Duration.ofSeconds(30), c.link().connectTimeout());

        Path bad = Files.writeString(home.resolve("bad-redial.conf"), """
                link_minimal_backoff_time = 0
                link_maximal_backoff_time = -1m
                link_connect_timeout = 0s
                """);
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(bad, home));
        assertEquals(List.of(bad + ":1: link_minimal_backoff_time: must be longer than 0s",
                bad + ":2: link_maximal_backoff_time: must be longer than 0s",
                bad + ":3: link_connect_timeout: must be longer than 0s"), e.problems());
    }

    @Test
    void aLinkBackoffThatStartsAboveItsCapIsReportedAtTheLineThatSetsIt() throws Exception {
        Path both = Files.writeString(home.resolve("both.conf"), """
                # redialing
                link_maximal_backoff_time = 30s
                link_minimal_backoff_time = 2m
                """);
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(both, home));
        assertEquals(List.of(both + ":3: link_minimal_backoff_time is longer than link_maximal_backoff_time"),
                e.problems());

        Path capOnly = Files.writeString(home.resolve("cap.conf"), "\nlink_maximal_backoff_time = 500ms\n");
        e = assertThrows(ConfigException.class, () -> ConfigLoader.load(capOnly, home));
        assertEquals(List.of(capOnly + ":2: link_minimal_backoff_time is longer than link_maximal_backoff_time"),
                e.problems());
    }

    @Test
    void thereIsNoSubmissionListenerUnlessConfiguredAndItNeedsTlsAndAPortOfItsOwn() throws Exception {
        RelayConfig c = ConfigLoader.defaults(home);
        assertTrue(c.submission().listen().isEmpty());
        assertEquals(home.resolve("config/submission-users"), c.submission().usersFile());
        assertEquals(org.wormhole.relay.smtpd.auth.SenderLogin.STRICT, c.submission().senderLogin());
        assertEquals(5, c.submission().authFailures().limit());
        assertEquals(Duration.ofMinutes(10), c.submission().authFailures().window());

        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.fromText("t.conf",
                "listen = \"127.0.0.1:2525\"\n"
                + "submission_listen = \"127.0.0.1:2525\"\n"
                + "submission_sender_login = loose\n"
                + "submission_auth_failure_limit = -1\n"
                + "submission_auth_failure_window = 0s\n", home));
        assertEquals(List.of(
                "t.conf:3: submission_sender_login: 'loose': expected strict or any",
                "t.conf:4: submission_auth_failure_limit: must not be negative",
                "t.conf:5: submission_auth_failure_window: must be longer than 0s",
                "t.conf:2: submission_listen needs smtpd_tls_cert_file and smtpd_tls_key_file: AUTH is only offered inside TLS",
                "t.conf:2: submission_listen is the same address as listen (127.0.0.1:2525)"), e.problems());
    }
}
