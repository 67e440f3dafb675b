package org.wormhole.cli;

import static org.wormhole.cli.CliRun.wormhole;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The {@code wormhole mailertable} commands as an admin types them, against the shipped samples. */
class MailertableCliTest {

    private static final String SAMPLE = "../samples/mailertable/bigbucks.mailertable";
    private static final String BROKEN = "../samples/mailertable/broken.mailertable";

    @TempDir
    Path dir;

    @Test
    void checkOfAGoodTableSaysHowManyEntries() {
        CliRun r = wormhole("mailertable", "check", SAMPLE, "../config/mailertable");
        assertEquals(0, r.exit(), r.err());
        assertEquals(SAMPLE + ": 12 entries OK\n../config/mailertable: 2 entries OK\n", r.out());
    }

    @Test
    void checkOfABrokenTableListsEveryBadLineAndExits1() {
        CliRun r = wormhole("mailertable", "check", BROKEN);
        assertEquals(1, r.exit());
        assertEquals("", r.out());
        assertEquals(BROKEN + ":3: bad port '99999' (expected 1-65535)\n"
                + BROKEN + ":4: unknown mailer 'esmpt' (known: esmtp, smtp, smtp8, relay, lmtp, tsmtp, error, discard, local)\n"
                + BROKEN + ":5: duplicate key 'tokyo.bigbucks.example.' (first defined at line 2)\n"
                + BROKEN + ":6: bad error code '5.7.1': expected error:D.S.N:CODE text or error:CODE text with CODE 4xx or 5xx\n"
                + BROKEN + ": 4 error(s), table not usable\n", r.err());
    }

    @Test
    void checkOfAMissingFileExits1() {
        CliRun r = wormhole("mailertable", "check", dir.resolve("nope").toString());
        assertEquals(1, r.exit());
        assertEquals(dir.resolve("nope") + ": cannot read: no such file\n", r.err());
    }

    /**
     * Birlinghoven's configuration: its own names, and Tokyo as its one peer at
     * {@code tokyoAddress} (port 4650, as Birlinghoven's own link_listen).
     */
    private Path birlinghovenConfig(String tokyoAddress) throws Exception {
        return java.nio.file.Files.writeString(dir.resolve("wormhole.conf"), """
                myhostname = relay.birlinghoven.example
                link_listen = "127.0.0.1:4650"
                queue_directory = "%s"
                peers {
                  tokyo { address = "%s", pins = ["sha256/%s="] }
                }
                """.formatted(dir.resolve("spool"), tokyoAddress, "A".repeat(43)));
    }

    private Path table(String text) throws Exception {
        return java.nio.file.Files.writeString(dir.resolve("mailertable"), text);
    }

    @Test
    void withTheConfigurationTsmtpRoutesToItsPeersPass() throws Exception {
        Path conf = birlinghovenConfig("relay.tokyo.example");
        Path t = table("""
                tokyo.example           tsmtp:tokyo
                .tokyo.example          tsmtp:[relay.tokyo.example]
                birlinghoven.example    esmtp:[hub.birlinghoven.example]
                """);
        CliRun r = wormhole("mailertable", "check", "--config", conf.toString(), t.toString());
        assertEquals(0, r.exit(), r.err());
        assertEquals(t + ": 3 entries OK\n", r.out());
        assertEquals("", r.err());
    }

    @Test
    void aTsmtpRouteToAPeerTheConfigurationDoesNotHaveIsAnError() throws Exception {
        Path conf = birlinghovenConfig("relay.tokyo.example");
        Path t = table("""
                tokyo.example           tsmtp:tokyo
                osaka.example           tsmtp:osaka
                .osaka.example          tsmtp:[relay.osaka.example]
                """);
        CliRun r = wormhole("mailertable", "check", "--config", conf.toString(), t.toString());
        assertEquals(1, r.exit());
        assertEquals("", r.out());
        assertEquals(t + ":2: tsmtp route to unknown peer \"osaka\" (configured peers: tokyo at relay.tokyo.example)\n"
                + t + ":3: tsmtp route to unknown peer \"relay.osaka.example\" (configured peers: tokyo at relay.tokyo.example)\n"
                + t + ": 2 error(s), table not usable\n", r.err());
    }

    @Test
    void aTsmtpRouteToThisSiteItselfIsAWarning() throws Exception {
        // The admin copied Birlinghoven's own address into the tokyo peer: mail for Tokyo would
        // come back here and go round until the hop limit bounces it.
        Path conf = birlinghovenConfig("relay.birlinghoven.example");
        Path t = table("tokyo.example tsmtp:tokyo\n");
        CliRun r = wormhole("mailertable", "check", "--config", conf.toString(), t.toString());
        assertEquals(0, r.exit(), r.err());
        assertEquals(t + ": 1 entries OK, 1 warning(s)\n", r.out());
        assertEquals(t + ":1: warning: tsmtp route points at this site itself (peer tokyo at relay.birlinghoven.example:4650"
                + " is this site's myhostname and link_listen port)\n", r.err());

        // A route to this site's own name is no peer at all: an error, and the warning says why.
        t = table("tokyo.example tsmtp:[127.0.0.1]\n");
        r = wormhole("mailertable", "check", "--config", conf.toString(), t.toString());
        assertEquals(1, r.exit());
        assertEquals(t + ":1: tsmtp route to unknown peer \"127.0.0.1\" (configured peers: tokyo at relay.birlinghoven.example)\n"
                + t + ":1: warning: tsmtp route points at this site itself (127.0.0.1 is this site's link_listen address)\n"
                + t + ": 1 error(s), table not usable\n", r.err());
    }

    @Test
    void withoutAConfigurationOnlyTheSyntaxIsCheckedAndItSaysSo() throws Exception {
        Path t = table("osaka.example tsmtp:osaka\n");
        CliRun r = wormhole("mailertable", "check", t.toString());
        assertEquals(0, r.exit(), r.err());
        assertEquals(t + ": 1 entries OK\n", r.out());
        assertEquals(t + ": tsmtp routes not checked against the peers: no configuration "
                + Path.of("config", "wormhole.conf") + " (give one with --config)\n", r.err());

        r = wormhole("mailertable", "check", "--config", dir.resolve("nope.conf").toString(), t.toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().endsWith(dir.resolve("nope.conf") + ": configuration not usable; tables not checked\n"), r.err());
    }

    @ParameterizedTest
    @ValueSource(strings = {"tokyo", "birlinghoven"})
    void theBranchOfficeSitesPassTheChecksOfTheirWalkthrough(String site) throws Exception {
        String conf = "../samples/branch-office/" + site + "/wormhole.conf";
        String table = "../samples/branch-office/" + site + "/mailertable";
        // Installed as the walkthrough does it: the site key made, the table in place; only the
        // installation's paths differ (config check also checks those on disk).
        org.wormhole.link.SiteIdentity.generate(dir.resolve("keys"), site, java.time.Duration.ofDays(30));
        Path installed = java.nio.file.Files.writeString(dir.resolve(site + ".conf"),
                java.nio.file.Files.readString(Path.of(conf))
                        + "\nlink_key_directory = \"" + dir.resolve("keys") + "\"\n"
                        + "queue_directory = \"" + dir.resolve("spool") + "\"\n"
                        + "mailertable = \"" + Path.of(table).toAbsolutePath() + "\"\n");
        CliRun r = wormhole("config", "check", installed.toString());
        assertEquals(0, r.exit(), r.err());
        r = wormhole("mailertable", "check", "--config", conf, table);
        assertEquals(0, r.exit(), r.err());
        assertEquals(table + ": 4 entries OK\n", r.out());
        assertEquals("", r.err());
    }

    @Test
    void aRelayWithATsmtpRouteToAnUnknownPeerDoesNotStart() throws Exception {
        Path t = table("tokyo.example tsmtp:tokyo\nosaka.example tsmtp:osaka\n");
        Path conf = birlinghovenConfig("relay.tokyo.example");
        java.nio.file.Files.writeString(conf, java.nio.file.Files.readString(conf)
                + "listen = \"127.0.0.1:0\"\nmailertable = \"" + t + "\"\n");
        CliRun r = wormhole("run", "--config", conf.toString());
        assertEquals(1, r.exit());
        assertEquals(t + ":2: tsmtp route to unknown peer \"osaka\" (configured peers: tokyo at relay.tokyo.example)\n"
                + t + ": 1 error(s); relay not started\n", r.err());
    }

    @Test
    void lookupPrintsTheValueAfterSubstitutionOnOneLine() {
        CliRun r = wormhole("mailertable", "lookup", "--file", SAMPLE, "user@mail.tokyo.bigbucks.example");
        assertEquals(0, r.exit(), r.err());
        assertEquals("tsmtp:[relay.tokyo.bigbucks.example]\n", r.out());

        r = wormhole("mailertable", "lookup", "--file", SAMPLE, "<Jane@Sales.Birlinghoven.BigBucks.Example>");
        assertEquals(0, r.exit(), r.err());
        assertEquals("lmtp:[sales.mailstore.birlinghoven.bigbucks.example]:24\n", r.out());
    }

    @Test
    void lookupExplainShowsTheSearchOrderAndTheMatch() {
        CliRun r = wormhole("mailertable", "lookup", "--file", SAMPLE, "--explain", "ceo@mail.tokyo.bigbucks.example");
        assertEquals(0, r.exit(), r.err());
        String[] lines = r.out().split("\n");
        assertEquals("tsmtp:[relay.tokyo.bigbucks.example]", lines[0]);
        assertEquals("  table " + SAMPLE + " (12 entries)", lines[1]);
        assertTrue(lines[2].matches("  tried ceo@mail\\.tokyo\\.bigbucks\\.example\\s+-"), lines[2]);
        assertTrue(lines[3].matches("  tried mail\\.tokyo\\.bigbucks\\.example\\s+-"), lines[3]);
        assertTrue(lines[4].matches("  tried \\.tokyo\\.bigbucks\\.example\\s+MATCH"), lines[4]);
        assertEquals("  matched " + SAMPLE + ":6: mailer=tsmtp host=relay.tokyo.bigbucks.example port=default mx=no"
                + " key=.tokyo.bigbucks.example", lines[5]);
        assertEquals(6, lines.length);
    }

    @Test
    void lookupWithoutAMatchSaysSoOnStderrAndExits1() {
        CliRun r = wormhole("mailertable", "lookup", "--file", SAMPLE, "--explain", "user@outside.example");
        assertEquals(1, r.exit());
        assertEquals("no match\n", r.err());
        assertTrue(r.out().contains("tried .                                        -"), r.out());
    }

    @Test
    void lookupUsesTheRelaysConfiguredTableByDefault() {
        // The tests run in relay/, which has no config/: the default path shows in the error.
        // (test-harness runs the real launcher with WORMHOLE_HOME set.)
        CliRun r = wormhole("mailertable", "lookup", "x@tokyo.example");
        assertEquals(1, r.exit());
        assertEquals(Path.of("config", "mailertable") + ": cannot read: no such file\n", r.err());
    }

    @Test
    void aBrokenTableMakesLookupFailWithItsErrors() {
        CliRun r = wormhole("mailertable", "lookup", "--file", BROKEN, "x@tokyo.bigbucks.example");
        assertEquals(1, r.exit());
        assertTrue(r.err().startsWith(BROKEN + ":3: bad port"), r.err());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "mailertable", "mailertable check", "mailertable lookup",
            "mailertable lookup --file x", "nonsense", "mailertable check --bogus x"})
    void badUsageExits2(String line) {
        CliRun r = wormhole(line.isEmpty() ? new String[0] : line.split(" "));
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().contains("Usage: wormhole") || r.err().contains("Did you mean"), r.err());
    }

    @Test
    void aMalformedAddressIsBadUsage() {
        CliRun r = wormhole("mailertable", "lookup", "--file", SAMPLE, "user@");
        assertEquals(2, r.exit());
        assertTrue(r.err().startsWith("not an address or domain: 'user@'"), r.err());
    }

    @ParameterizedTest
    @ValueSource(strings = {"--help", "mailertable --help", "mailertable check --help",
            "mailertable lookup --help", "mailertable watch --help", "help mailertable", "demo --help"})
    void everyCommandHasHelp(String line) {
        CliRun r = wormhole(line.split(" "));
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().startsWith("Usage: wormhole"), r.out());
    }
}
