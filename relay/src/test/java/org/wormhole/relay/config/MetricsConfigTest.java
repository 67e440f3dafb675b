package org.wormhole.relay.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code metrics_listen}: off by default, an address:port when set, a mistake reported at its line. */
class MetricsConfigTest {

    @TempDir
    Path home;

    @Test
    void noMetricsListenerByDefault() throws Exception {
        assertEquals(Optional.empty(), ConfigLoader.defaults(home).metrics().listen());
        assertTrue(ConfigLoader.render("defaults", null, home).contains("\nmetrics_listen = \"\"\n"),
                "wormhole config check shows it");
    }

    @Test
    void metricsListenIsAnAddressAndPort() throws Exception {
        RelayConfig c = ConfigLoader.fromText("t.conf", "metrics_listen = \"127.0.0.1:9465\"\n", home);
        assertEquals("127.0.0.1", c.metrics().listen().orElseThrow().getAddress().getHostAddress());
        assertEquals(9465, c.metrics().listen().orElseThrow().getPort());
        c = ConfigLoader.fromText("t.conf", "metrics_listen = \"[::1]:9465\"\n", home);
        assertEquals("0:0:0:0:0:0:0:1", c.metrics().listen().orElseThrow().getAddress().getHostAddress());
    }

    @Test
    void aBadMetricsListenIsReportedAtItsLine() throws Exception {
        Path f = Files.writeString(home.resolve("site.conf"), "myhostname = relay.example\n\nmetrics_listen = \"9465\"\n"
                + "metric_listen = \"127.0.0.1:9465\"\n");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(f, home));
        assertEquals(List.of(f + ":4: unknown key 'metric_listen' (did you mean 'metrics_listen'?)",
                f + ":3: metrics_listen: '9465': expected address:port, e.g. 127.0.0.1:2525"), e.problems());
    }
}
