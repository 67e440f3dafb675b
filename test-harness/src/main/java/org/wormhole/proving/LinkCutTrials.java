package org.wormhole.proving;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.wormhole.bench.DelayingProxy;

/**
 * The link cut (both TCP ends reset, by the {@link DelayingProxy} on its path) during a burst, at a
 * random moment; and during a large message, at a random point of its transfer (the path frozen
 * first, so the cut is in its middle for sure), with a burst of small ones going on.
 */
final class LinkCutTrials {

    private LinkCutTrials() {
    }

    static void burst(Sites s, Tally tally, int trials, Options o, Random rnd, PrintStream log)
            throws IOException, InterruptedException {
        for (int t = 1; t <= trials; t++) {
            s.ensureRunning();
            Poll.until(Duration.ofSeconds(60), s::queuesEmpty);
            String prefix = "cut-burst-t" + t + "-";
            Load load = Load.burst(prefix, s.tokyoSmtp, Sites.FINAL_RCPT, o.burst(), o.sessions(), 2000, Duration.ofSeconds(120));
            int moment = o.burst() / 5 + rnd.nextInt(Math.max(1, o.burst() * 3 / 5));
            Poll.until(Duration.ofSeconds(60), () -> load.ackedCount() >= moment);
            Set<String> before = load.acked();
            long cut = System.nanoTime();
            s.wan.cut();
            boolean recovered = Poll.until(Duration.ofSeconds(90), () -> before.stream().allMatch(s.hub::arrived));
            double seconds = Poll.secondsSince(cut);
            if (recovered) {
                tally.recovered.add(seconds);
            }
            load.await(Duration.ofSeconds(120));
            if (!Poll.until(Duration.ofSeconds(90), () -> s.queuesEmpty() && load.acked().stream().allMatch(s.hub::arrived))) {
                tally.fail("trial " + t + ": not drained within 90 s");
            }
            tally.add(prefix, load);
            tally.refused += load.refused();
            tally.trials++;
            log.printf("  %s trial %d: cut after %d acknowledged, recovered %s%n", tally.kind, t, before.size(),
                    recovered ? String.format("in %.1f s", seconds) : "NOT within 90 s");
        }
    }

    static void large(Sites s, Tally tally, int trials, Options o, Random rnd, PrintStream log)
            throws IOException, InterruptedException {
        DelayingProxy wan = s.wan;
        for (int t = 1; t <= trials; t++) {
            s.ensureRunning();
            Poll.until(Duration.ofSeconds(60), s::queuesEmpty);
            String prefix = "cut-large-t" + t + "-";
            Load.Message big = Load.message(prefix + "large", Sites.FINAL_RCPT, o.largeSize());
            long base = wan.bytesForward();
            CompletableFuture<Smtp.Reply> submitted = CompletableFuture.supplyAsync(() -> {
                try {
                    return Smtp.send(Smtp.LEGIT, s.tokyoSmtp, "load@tokyo.example", Sites.FINAL_RCPT, big.content());
                } catch (IOException e) {
                    return new Smtp.Reply(0, e.toString());
                }
            });
            Load small = Load.burst(prefix + "small-", s.tokyoSmtp, Sites.FINAL_RCPT, 50, 2, 2000, Duration.ofSeconds(60));
            double fraction = 0.2 + 0.6 * rnd.nextDouble();
            long at = base + (long) (big.bodyLength() * fraction);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (wan.bytesForward() < at && System.nanoTime() < deadline) {
                Thread.onSpinWait(); // 15 MB cross loopback in a fraction of a second: polling would miss the middle
            }
            wan.freeze(true);
            long crossed = wan.bytesForward() - base;
            long cut = System.nanoTime();
            wan.cut();
            wan.freeze(false);
            Smtp.Reply reply;
            try {
                reply = submitted.get(60, TimeUnit.SECONDS);
            } catch (Exception e) {
                reply = new Smtp.Reply(0, e.toString());
            }
            boolean acked = reply.code() == 250;
            boolean recovered = acked && Poll.until(Duration.ofSeconds(120), () -> s.hub.arrived(big.id()));
            double seconds = Poll.secondsSince(cut);
            if (recovered) {
                tally.recovered.add(seconds);
            }
            small.await(Duration.ofSeconds(60));
            if (!Poll.until(Duration.ofSeconds(90), () -> s.queuesEmpty() && small.acked().stream().allMatch(s.hub::arrived))) {
                tally.fail("trial " + t + ": not drained within 90 s");
            }
            tally.prefixes.add(prefix);
            tally.add(prefix + "small-", small);
            if (acked) {
                tally.acked.add(big.id());
            } else {
                tally.refused++;
                tally.fail("trial " + t + ": the large message was not accepted: " + reply);
            }
            List<Sink.Arrival> copies = s.hub.copies(big.id());
            if (!copies.isEmpty() && copies.stream().anyMatch(c -> !c.bodySha256().equals(big.bodySha256()))) {
                tally.fail("trial " + t + ": the large message arrived altered (body SHA-256 differs)");
            }
            if (crossed >= big.bodyLength()) {
                tally.notes.add("trial " + t + " cut after the whole message had crossed");
            }
            tally.refused += small.refused();
            tally.trials++;
            log.printf("  %s trial %d: %d MB message cut after %.1f MB had crossed; arrived %s, byte for byte: %s%n",
                    tally.kind, t, big.bodyLength() / 1_000_000, crossed / 1e6,
                    recovered ? String.format("%.1f s after the cut", seconds) : "NOT within 120 s",
                    copies.isEmpty() ? "-" : copies.get(0).bodySha256().equals(big.bodySha256()) ? "yes" : "NO");
        }
    }
}
