package org.wormhole.proving;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A disk filled under the receiving relay: Birlinghoven's spool on a 48 MiB tmpfs (root only),
 * its hub answering 451 so that nothing leaves, a burst of 100 kB messages into Tokyo until
 * Birlinghoven refuses more over the link (452 4.3.1: it keeps 1.5 x message_size_limit = 30 MB
 * free) and Tokyo keeps the rest queued; then the hub comes back and everything must arrive once.
 */
final class DiskFullTrial {

    private static final int SIZE = 100_000;

    private DiskFullTrial() {
    }

    static void run(Sites s, List<Tally> tallies, List<String> skipped, Options o, PrintStream log)
            throws IOException, InterruptedException {
        if (!Shell.root()) {
            skipped.add("disk full skipped: it needs root (a tmpfs under the spool)");
            log.println("  disk full: skipped (needs root)");
            return;
        }
        s.ensureRunning();
        Poll.until(Duration.ofSeconds(60), s::queuesEmpty);
        Path spool = s.birl.spool();
        Path aside = spool.resolveSibling("spool.before-tmpfs");
        s.birl.close();
        Files.move(spool, aside);
        Files.createDirectories(spool);
        Shell.Result mount = Shell.run("mount", "-t", "tmpfs", "-o", "size=48m,mode=0700", "proving-ground", spool.toString());
        if (!mount.ok()) {
            Files.delete(spool);
            Files.move(aside, spool);
            s.birl.start();
            skipped.add("disk full skipped: mount -t tmpfs failed: " + mount.output());
            log.println("  disk full: skipped, mount failed: " + mount.output());
            return;
        }
        Tally t = new Tally("disk full under birlinghoven", s.hub, true);
        tallies.add(t);
        try {
            s.hub.tempfail(true);
            s.birl.start();
            Poll.until(Duration.ofSeconds(30), () -> s.tokyo.logSinceStart().lines()
                    .filter(l -> l.contains("link to birlinghoven up")).count() > 0 && s.tokyo.queueEmpty());
            int n = 300;
            String prefix = "disk-full-";
            Load load = Load.burst(prefix, s.tokyoSmtp, Sites.FINAL_RCPT, n, o.sessions(), SIZE, Duration.ofSeconds(120));
            load.await(Duration.ofSeconds(150));
            boolean refusedOverLink = Poll.until(Duration.ofSeconds(30),
                    () -> s.birl.logSinceStart().contains("Insufficient system storage")
                            || s.tokyo.logSinceStart().contains("4.3.1"));
            long heldAtTokyo = WormholeProcess.files(s.tokyo.spool().resolve("deferred"))
                    + WormholeProcess.files(s.tokyo.spool().resolve("active"));
            long back = System.nanoTime();
            s.hub.tempfail(false);
            boolean recovered = Poll.until(Duration.ofSeconds(120), () -> load.acked().stream().allMatch(s.hub::arrived));
            double seconds = Poll.secondsSince(back);
            if (recovered) {
                t.recovered.add(seconds);
            }
            if (!Poll.until(Duration.ofSeconds(90), s::queuesEmpty)) {
                t.fail("not drained within 90 s after the hub came back");
            }
            t.add(prefix, load);
            t.refused += load.refused();
            t.trials++;
            t.notes.add(String.format("48 MiB spool; %s; %d held at Tokyo when the hub came back; hub 451s: %d",
                    refusedOverLink ? "Birlinghoven refused with 4.3.1" : "no 4.3.1 seen", heldAtTokyo, s.hub.tempfailed()));
            log.printf("  disk full: %d of %d acknowledged, %s, %d held at Tokyo; all arrived %s%n", load.ackedCount(),
                    load.attempts(), refusedOverLink ? "Birlinghoven refused over the link (4.3.1)" : "no 4.3.1 seen",
                    heldAtTokyo, recovered ? String.format("%.1f s after the hub came back", seconds) : "NOT within 120 s");
        } finally {
            s.hub.tempfail(false);
            Poll.until(Duration.ofSeconds(60), s.birl::queueEmpty);
            s.birl.close();
            Shell.run("umount", spool.toString());
            ProvingGround.delete(spool);
            Files.move(aside, spool);
            s.birl.start();
        }
    }
}
