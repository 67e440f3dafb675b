package org.wormhole.proving;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Random;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * kill -9 of a relay under load: a burst into the first relay, and at a random moment in its
 * middle (after between a fifth and four fifths of it was acknowledged) the victim is killed with
 * SIGKILL and started again on the same queue at once, while the burst goes on. Then the trial
 * waits until every queue is empty. Recovery: from the kill until every message acknowledged
 * before it is at the sink.
 */
final class KillTrials {

    /** Where the burst goes and how to tell that the path is idle. */
    record Path(int smtpPort, Sink sink, BooleanSupplier queuesEmpty, Runnable ensureRunning) {
    }

    private KillTrials() {
    }

    static void run(Tally tally, Relay victim, Path path, int trials, Options o, Random rnd, PrintStream log)
            throws IOException, InterruptedException {
        for (int t = 1; t <= trials; t++) {
            path.ensureRunning().run();
            if (!Poll.until(Duration.ofSeconds(60), path.queuesEmpty())) {
                tally.fail("trial " + t + ": the queues were not empty before it");
            }
            String prefix = tally.kind.replaceAll("\\W+", "-") + "-t" + t + "-";
            long burstStart = System.nanoTime();
            Load load = Load.burst(prefix, path.smtpPort(), Sites.FINAL_RCPT, o.burst(), o.sessions(), 2000,
                    Duration.ofSeconds(120), o.rate());
            int moment = o.burst() / 5 + rnd.nextInt(Math.max(1, o.burst() * 3 / 5));
            if (!Poll.until(Duration.ofSeconds(60), () -> load.ackedCount() >= moment)) {
                tally.fail("trial " + t + ": the burst stalled at " + load.ackedCount() + " before the kill");
            }
            Set<String> before = load.acked();
            long killed = System.nanoTime();
            victim.kill9();
            victim.start();
            boolean recovered = Poll.until(Duration.ofSeconds(90), () -> before.stream().allMatch(path.sink()::arrived));
            double seconds = Poll.secondsSince(killed);
            if (recovered) {
                tally.recovered.add(seconds);
            }
            load.await(Duration.ofSeconds(120));
            tally.burstRates.add(load.ackedCount() / Poll.secondsSince(burstStart));
            boolean drained = Poll.until(Duration.ofSeconds(90), () -> path.queuesEmpty().getAsBoolean()
                    && load.acked().stream().allMatch(path.sink()::arrived));
            if (!drained) {
                tally.fail("trial " + t + ": not drained within 90 s of the burst's end");
            }
            tally.add(prefix, load);
            tally.refused += load.refused();
            tally.trials++;
            log.printf("  %s trial %d: killed after %d acknowledged, %d acknowledged in all, recovered %s%n",
                    tally.kind, t, before.size(), load.ackedCount(),
                    recovered ? String.format("in %.1f s", seconds) : "NOT within 90 s");
        }
    }
}
