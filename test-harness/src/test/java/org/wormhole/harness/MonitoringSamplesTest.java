package org.wormhole.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * samples/monitoring/ as an admin checks it before loading it into Prometheus: promtool accepts
 * the alert rules, and their unit tests pass (a link down over 5 minutes alerts, 4 minutes does
 * not; and so on). Skipped where promtool is not installed (Debian: apt-get install prometheus).
 * That the samples name only metrics a relay serves is checked on a real relay, in
 * {@link MetricsEndpointTest}.
 */
class MonitoringSamplesTest {

    static final Path SAMPLES = Path.of("../samples/monitoring").toAbsolutePath().normalize();

    private static void assumePromtool() {
        assumeTrue(Promtool.find().isPresent(), "promtool is not installed (Debian: apt-get install prometheus): skipped");
    }

    @Test
    void promtoolAcceptsTheAlertRules() throws Exception {
        assumePromtool();
        Promtool.Run r = Promtool.run(SAMPLES, null, "check", "rules", "wormhole-alerts.yml");
        assertEquals(0, r.exit(), r.output());
    }

    @Test
    void theAlertRulesPassTheirUnitTests() throws Exception {
        assumePromtool();
        Promtool.Run r = Promtool.run(SAMPLES, null, "test", "rules", "wormhole-alerts.test.yml");
        assertEquals(0, r.exit(), r.output());
    }
}
