package org.wormhole.proving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The proving ground's short variant ({@code test-harness/proving-ground/run.sh --quick}): real
 * relay processes from relay/target/wormhole.jar, two kill -9 trials per relay, a link cut mid-burst
 * and mid-15 MB message, the probes and the floods, one table. Nothing acknowledged may be lost,
 * nothing duplicated over the link, every probe refused, mail flowing through every flood.
 */
class ProvingGroundTest {

    @Test
    void theShortVariantLosesNothingAndDuplicatesNothingOverTheLink() throws Exception {
        ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("org.subethamail")).setLevel(ch.qos.logback.classic.Level.OFF);
        ByteArrayOutputStream transcript = new ByteArrayOutputStream();
        ProvingGround.Outcome outcome;
        try (PrintStream log = new PrintStream(transcript, true, StandardCharsets.UTF_8)) {
            outcome = ProvingGround.quick(log);
        }
        String out = transcript.toString(StandardCharsets.UTF_8);
        System.out.print(out);

        Map<String, Tally.Row> rows = outcome.rows().stream().collect(Collectors.toMap(Tally.Row::kind, r -> r));
        for (String kind : List.of("kill -9 tokyo (link sender)", "kill -9 birlinghoven (final hop)", ProvingGround.DIRECT_KIND,
                "link cut mid-burst", "link cut mid-15 MB message", "open-relay probes", "smuggling probes", "SMTP flood, mail flowing",
                "link-port flood, mail flowing")) {
            assertTrue(rows.containsKey(kind), "no row " + kind + " in\n" + out);
        }
        for (Tally.Row r : outcome.rows()) {
            assertEquals(0, r.lost(), r.kind() + ": acknowledged mail lost\n" + out);
            assertEquals(0, r.dupLink(), r.kind() + ": duplicated over the link\n" + out);
        }
        assertEquals(2, rows.get("kill -9 tokyo (link sender)").trials(), out);
        assertEquals(2, rows.get("kill -9 birlinghoven (final hop)").trials(), out);
        assertTrue(rows.get("kill -9 birlinghoven (final hop)").acked() > 0, out);
        assertEquals(2, rows.get(ProvingGround.DIRECT_KIND).trials(), out);
        assertTrue(rows.get(ProvingGround.DIRECT_KIND).acked() > 0, out);
        assertEquals(Probes.RELAY_TRICKS.size(), rows.get("open-relay probes").refused(), "every open-relay trick refused\n" + out);
        // Every probe refused, mail flowing through both floods, every trial drained.
        assertEquals(List.of(), outcome.failures(), out);
        assertTrue(out.contains("| trial kind "), out);
    }
}
