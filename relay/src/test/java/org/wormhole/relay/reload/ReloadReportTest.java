package org.wormhole.relay.reload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.wormhole.relay.config.ConfigLoader;

/** What a reload reports, as {@code wormhole reload} prints it and the relay logs it. */
class ReloadReportTest {

    @Test
    void changesAreFoundKeyByKeyInTheOrderOfTheFile() {
        Map<String, String> before = ConfigSource.values("""
                listen = "127.0.0.1:2525"
                relay_domains = []
                message_size_limit = 10M
                peers = {}
                """);
        Map<String, String> after = ConfigSource.values("""
                listen = "127.0.0.1:2526"
                relay_domains = ["tokyo.example"]
                message_size_limit = 10M
                peers = {}
                """);
        assertEquals(List.of(new ConfigChange("listen", "127.0.0.1:2525", "127.0.0.1:2526"),
                new ConfigChange("relay_domains", "[]", "[\"tokyo.example\"]")), ConfigChange.between(before, after));
        assertEquals(List.of(), ConfigChange.between(before, before));
    }

    @Test
    void aChangeOfThePeersIsSaidPeerByPeer() {
        String before = "{\"osaka\":{\"address\":\"10.0.0.3\"},\"tokyo\":{\"address\":\"10.0.0.1\",\"pins\":[\"sha256/A\"]}}";
        String after = "{\"paris\":{\"address\":\"10.0.0.2\"},\"tokyo\":{\"address\":\"10.0.0.1\",\"pins\":[\"sha256/B\"]}}";
        assertEquals("peers: osaka removed; paris added; tokyo changed (pins)",
                new ConfigChange("peers", before, after).toString());
        assertEquals("peers: paris added", new ConfigChange("peers", "{}", "{\"paris\":{\"dial\":false}}").toString());
    }

    @Test
    void aKeyOnlyOneSideKnowsIsAChangeToo() {
        Map<String, String> before = new LinkedHashMap<>(Map.of("listen", "127.0.0.1:2525"));
        Map<String, String> after = new LinkedHashMap<>(Map.of("metrics_listen", "127.0.0.1:9100"));
        assertEquals(List.of(new ConfigChange("metrics_listen", "(unset)", "127.0.0.1:9100"),
                new ConfigChange("listen", "127.0.0.1:2525", "(unset)")), ConfigChange.between(before, after));
    }

    @Test
    void theReportSaysWhatWasAppliedAndWhatNeedsARestart() {
        ReloadReport r = new ReloadReport("/etc/wormhole/wormhole.conf", List.of(),
                List.of(new ConfigChange("relay_domains", "[]", "[\"tokyo.example\"]")),
                List.of(new ConfigChange("listen", "127.0.0.1:2525", "127.0.0.1:2526")));
        assertEquals(List.of("applied: relay_domains [] -> [\"tokyo.example\"]",
                "changed, needs a restart: listen 127.0.0.1:2525 -> 127.0.0.1:2526"), r.lines());
        assertEquals("/etc/wormhole/wormhole.conf: reloaded, 1 change(s) applied, 1 need(s) a restart", r.summary());
        assertEquals("/etc/wormhole/wormhole.conf: reloaded, no changes",
                new ReloadReport("/etc/wormhole/wormhole.conf", List.of(), List.of(), List.of()).summary());
    }

    @Test
    void everyLiveKeyIsAKeyOfTheReference() throws Exception {
        Map<String, String> reference = ConfigSource.values(ConfigLoader.render("defaults", null, Path.of("/")));
        for (String key : LiveKeys.LIVE) {
            assertTrue(reference.containsKey(key), key + " is not in config/wormhole.conf");
        }
        assertTrue(reference.containsKey("listen") && !LiveKeys.isLive("listen"));
    }

    @Test
    void aRefusedReloadHasOnlyItsErrors() {
        ReloadReport r = ReloadReport.refused("w.conf", List.of("w.conf:3: unknown key 'relay_domain'"));
        assertEquals(List.of("w.conf:3: unknown key 'relay_domain'"), r.lines());
        assertEquals("w.conf: 1 error(s); nothing applied, the running configuration stays", r.summary());
        assertThrows(IllegalArgumentException.class, () -> new ReloadReport("w.conf", List.of("w.conf:3: bad"),
                List.of(new ConfigChange("listen", "a", "b")), List.of()));
    }
}
