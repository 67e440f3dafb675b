package org.wormhole.proving;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;

/**
 * The proving ground of issue 8: real relay processes (Tokyo -> link -> Birlinghoven -> a sink
 * that counts), crashed, cut, probed and flooded, bounded in time and count; one table at the
 * end. Exit status 0 when nothing acknowledged was lost, nothing was duplicated over the link,
 * every probe was refused and mail kept flowing through every flood; 1 otherwise; 2 for bad usage.
 * Duplicates at the final hop after a kill -9 of the last relay are reported, not failed: SMTP
 * cannot close the window between the next hop's 250 and the relay's record of it (Postfix has it
 * too: {@code --postfix} runs the same kill -9 trial against it, side by side).
 *
 * <pre>
 * test-harness/proving-ground/run.sh [--quick] [--postfix] [options]   (test-harness/bench/README.md)
 * </pre>
 */
public final class ProvingGround {

    /** The rows of the table and every reason to fail. */
    public record Outcome(List<Tally.Row> rows, List<String> failures, List<String> skipped) {
        public boolean passed() {
            return failures.isEmpty();
        }
    }

    private ProvingGround() {
    }

    public static void main(String[] args) throws Exception {
        if (System.getProperty("logback.configurationFile") == null) {
            // the sink's library logs every client that went away mid-DATA with a stack trace: kill -9 does that
            System.setProperty("logback.configurationFile", "proving-ground-logback.xml");
        }
        if (Arrays.asList(args).contains("--help")) {
            System.out.print(Options.USAGE);
            return;
        }
        Options o;
        try {
            o = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        Outcome outcome = run(o, System.out);
        System.exit(outcome.passed() ? 0 : 1);
    }

    /** The short variant, as {@code mvn verify} runs it. */
    public static Outcome quick(PrintStream log) throws IOException, InterruptedException {
        return run(Options.quick(Options.defaultJar()), log);
    }

    static Outcome run(Options o, PrintStream log) throws IOException, InterruptedException {
        if (!Files.isRegularFile(o.jar())) {
            throw new IOException(o.jar() + " is missing: build it with 'mvn -B -DskipTests -pl relay -am package'");
        }
        Path dir = o.work().isPresent() ? Files.createDirectories(o.work().get()) : Files.createTempDirectory("proving-ground-");
        Random rnd = new Random(o.seed());
        long started = System.nanoTime();
        log.printf("proving ground: %s, seed %d, in %s%n", describe(o), o.seed(), dir);
        List<Tally> tallies = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        List<String> aborted = new ArrayList<>();
        try (Sites s = new Sites(dir.resolve("sites"), o.jar(), "")) {
            log.printf("  tokyo SMTP 127.0.0.1:%d -> link (via a cutting proxy on :%d) -> birlinghoven link :%d, SMTP :%d"
                    + " -> sink 127.0.0.1:%d%n", s.tokyoSmtp, s.wan.port(), s.birlLink, s.birlSmtp, s.hub.port());
            KillTrials.Path path = new KillTrials.Path(s.tokyoSmtp, s.hub, s::queuesEmpty, () -> ensure(s));
            // Postfix's trial, with Wormhole as the relay: the load straight into Birlinghoven's SMTP
            // port, no link and no Tokyo at work, so both relays share the machine alike.
            KillTrials.Path direct = new KillTrials.Path(s.birlSmtp, s.hub, s::queuesEmpty, () -> ensure(s));

            Tally killTokyo = new Tally("kill -9 tokyo (link sender)", s.hub, true);
            Tally killBirl = new Tally("kill -9 birlinghoven (final hop)", s.hub, true);
            Tally killDirect = new Tally(DIRECT_KIND, s.hub, true);
            group(o, "kill", tallies, aborted, log, List.of(killTokyo, killBirl), () -> {
                KillTrials.run(killTokyo, s.tokyo, path, o.killTrials(), o, rnd, log);
                KillTrials.run(killBirl, s.birl, path, o.killTrials(), o, rnd, log);
            });
            group(o, "direct", tallies, aborted, log, List.of(killDirect),
                    () -> {
                        KillTrials.run(killDirect, s.birl, direct, o.killTrials(), o, rnd, log);
                        killDirect.notes.add(window(killDirect, s.birl));
                    });
            group(o, "postfix", tallies, aborted, log, List.of(), () -> PostfixTrial.run(tallies, skipped, o, rnd, log));
            Tally cutBurst = new Tally("link cut mid-burst", s.hub, true);
            Tally cutLarge = new Tally("link cut mid-" + o.largeSize() / 1_000_000 + " MB message", s.hub, true);
            group(o, "cut", tallies, aborted, log, List.of(cutBurst, cutLarge), () -> {
                LinkCutTrials.burst(s, cutBurst, o.cutTrials(), o, rnd, log);
                LinkCutTrials.large(s, cutLarge, o.largeCutTrials(), o, rnd, log);
            });
            Tally openRelay = new Tally("open-relay probes", s.hub, true);
            Tally smuggling = new Tally("smuggling probes", s.hub, true);
            group(o, "probes", tallies, aborted, log, List.of(openRelay, smuggling), () -> {
                Probes.openRelay(s, openRelay, log);
                Probes.smuggling(s, smuggling, log);
            });
            Tally smtpFlood = new Tally("SMTP flood, mail flowing", s.hub, true);
            Tally linkFlood = new Tally("link-port flood, mail flowing", s.hub, true);
            group(o, "floods", tallies, aborted, log, List.of(smtpFlood, linkFlood), () -> {
                Floods.smtp(s, smtpFlood, o, log);
                Floods.link(s, linkFlood, o, log);
            });
            group(o, "disk", tallies, aborted, log, List.of(), () -> DiskFullTrial.run(s, tallies, skipped, o, log));
            ensure(s);
            Duration settle = Duration.ofSeconds(60);
            if (!Poll.until(settle, s::queuesEmpty)) {
                skipped.add("the queues were not empty at the end; what is still queued counts as lost");
            }
            long traces = s.tokyo.stackTraceLines() + s.birl.stackTraceLines();
            if (traces > 0) {
                skipped.add(String.format("stack-trace lines in the relays' logs: tokyo %d, birlinghoven %d",
                        s.tokyo.stackTraceLines(), s.birl.stackTraceLines()));
            }
            long corruptTokyo = s.tokyo.corrupt();
            long corruptBirl = s.birl.corrupt();
            if (corruptTokyo + corruptBirl > 0) {
                skipped.add(String.format("corrupt/ at the end: tokyo %d, birlinghoven %d file(s)", corruptTokyo, corruptBirl));
            }
        } finally {
            if (o.work().isEmpty()) {
                delete(dir);
            }
        }
        List<Tally.Row> rows = tallies.stream().map(Tally::count).toList();
        List<String> failures = new ArrayList<>(aborted);
        rows.forEach(r -> failures.addAll(r.failures()));
        log.println();
        log.print(table(rows));
        finalHopSideBySide(rows).ifPresent(log::println);
        skipped.forEach(n -> log.println("note: " + n));
        failures.forEach(f -> log.println("FAILED: " + f));
        log.printf("%s in %.0f s%n", failures.isEmpty() ? "PASSED" : "FAILED (" + failures.size() + ")",
                Poll.secondsSince(started));
        log.flush();
        return new Outcome(rows, failures, skipped);
    }

    /** The kill -9 trial that is Postfix's, with Birlinghoven as the relay: SMTP in, the sink out. */
    static final String DIRECT_KIND = "kill -9 birlinghoven, SMTP in (final hop, as postfix)";

    /** Birlinghoven's and Postfix's final-hop duplicates after kill -9 in the same trial, when both ran. */
    static Optional<String> finalHopSideBySide(List<Tally.Row> rows) {
        Optional<Tally.Row> ours = rows.stream().filter(r -> r.kind().equals(DIRECT_KIND)).findFirst();
        Optional<Tally.Row> postfix = rows.stream().filter(r -> r.kind().startsWith("kill -9 postfix")).findFirst();
        if (ours.isEmpty() || postfix.isEmpty() || ours.get().trials() == 0 || postfix.get().trials() == 0) {
            return Optional.empty();
        }
        Tally.Row w = ours.get();
        Tally.Row p = postfix.get();
        return Optional.of(String.format("final-hop duplicates after kill -9: wormhole %d in %d trials (%.2f a trial),"
                        + " postfix %d in %d trials (%.2f a trial)", w.dupFinal(), w.trials(), (double) w.dupFinal() / w.trials(),
                p.dupFinal(), p.trials(), (double) p.dupFinal() / p.trials()));
    }

    /**
     * The final hop's window after the sink's 250, as far as the logs show it: from the sink
     * having a message until the relay logged it sent (after its record's write and fsync), over
     * every message of {@code t} delivered once. A kill -9 inside it sends the message again.
     */
    static String window(Tally t, WormholeProcess relay) {
        Map<String, Long> logged = relay.sentLogged();
        List<Long> ms = new ArrayList<>();
        for (Map.Entry<String, List<Sink.Arrival>> e : t.sink.byId().entrySet()) {
            if (t.prefixes.stream().noneMatch(p -> e.getKey().startsWith(p)) || e.getValue().size() != 1) {
                continue;
            }
            Sink.Arrival a = e.getValue().get(0);
            Long at = logged.get(a.finalHopQueueId());
            if (at != null) {
                ms.add(at - a.atMillis());
            }
        }
        if (ms.isEmpty()) {
            return "sink's copy -> 'sent' logged: no message to measure";
        }
        List<Long> sorted = ms.stream().sorted().toList();
        return String.format("sink's copy -> 'sent' logged: median %d ms, p99 %d ms, max %d ms (%d messages)",
                sorted.get(sorted.size() / 2), sorted.get(Math.min(sorted.size() - 1, sorted.size() * 99 / 100)),
                sorted.get(sorted.size() - 1), sorted.size());
    }

    private static void ensure(Sites s) {
        try {
            s.ensureRunning();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One group of trials; if it throws (a relay that does not start again), the next group still runs. */
    private interface Trials {
        void run() throws IOException, InterruptedException;
    }

    private static void group(Options o, String name, List<Tally> tallies, List<String> aborted, PrintStream log,
                              List<Tally> rows, Trials trials) throws InterruptedException {
        if (!o.runs(name)) {
            return;
        }
        tallies.addAll(rows);
        try {
            trials.run();
        } catch (IOException | RuntimeException e) {
            aborted.add(name + " trials aborted: " + e.getMessage());
            log.println("  " + name + " trials aborted: " + e.getMessage());
        }
    }

    private static String describe(Options o) {
        return String.format("%d kill -9 trials per relay (bursts of %d, %d sessions), %d cut(s) mid-burst, %d mid-large,"
                        + " floods of %d s%s%s", o.killTrials(), o.burst(), o.sessions(), o.cutTrials(), o.largeCutTrials(),
                o.floodSeconds(), o.runs("postfix") ? ", Postfix side by side" : "", o.runs("disk") ? ", disk full" : "");
    }

    static String table(List<Tally.Row> rows) {
        String[] head = {"trial kind", "trials", "acked", "lost", "dup link", "dup final hop", "refused", "recovered s", "notes"};
        List<String[]> cells = new ArrayList<>();
        cells.add(head);
        for (Tally.Row r : rows) {
            cells.add(new String[] {r.kind(), Long.toString(r.trials()), Long.toString(r.acked()), Long.toString(r.lost()),
                    Long.toString(r.dupLink()), Long.toString(r.dupFinal()), Long.toString(r.refused()),
                    Double.isNaN(r.recoveredS()) ? "-" : String.format("%.1f", r.recoveredS()), r.notes()});
        }
        int[] w = new int[head.length];
        for (String[] row : cells) {
            for (int i = 0; i < row.length - 1; i++) {
                w[i] = Math.max(w[i], row[i].length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (int k = 0; k < cells.size(); k++) {
            String[] row = cells.get(k);
            sb.append("| ");
            for (int i = 0; i < row.length; i++) {
                String cell = row[i];
                boolean left = i == 0 || i == row.length - 1;
                sb.append(i == row.length - 1 ? cell : left ? String.format("%-" + w[i] + "s", cell)
                        : String.format("%" + w[i] + "s", cell)).append(" |").append(i == row.length - 1 ? "" : " ");
            }
            sb.append('\n');
            if (k == 0) {
                sb.append("|");
                for (int i = 0; i < row.length; i++) {
                    sb.append(i == 0 || i == row.length - 1 ? "---|" : "--:|");
                }
                sb.append('\n');
            }
        }
        return sb.toString();
    }

    static void delete(Path dir) {
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // a temporary directory: what is left is harmless
        }
    }
}
