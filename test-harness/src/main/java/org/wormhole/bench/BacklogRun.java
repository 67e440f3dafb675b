package org.wormhole.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Load run of a relay restarted on a large backlog (issue 10 item 6), with both relays as
 * processes of the real launcher:
 * <ol>
 * <li>Tokyo runs with a {@code tsmtp} route to Birlinghoven, which is not running: N messages
 *     of SIZE bytes are pushed in over S SMTP sessions and deferred (link down); Tokyo is stopped.</li>
 * <li>Tokyo is started again with {@code -Xmx} XMX: the time from starting the process to the
 *     first 250 for a new message, to the log's "queue resumed", and the heap ({@code jcmd
 *     GC.heap_info}: the most used, and the live set after a full GC once the queue is resumed).</li>
 * <li>Birlinghoven is started (its hub is an {@link OrderedSink}): the backlog's drain rate
 *     (first to last backlog message at the sink), its order (inversions against the age order of
 *     Tokyo's queue ids), and new mail submitted meanwhile at NEW_RATE msg/s (how many arrive
 *     during the drain, and their latency).</li>
 * <li>Baseline of the same run: min(N, 10000) fresh messages over the link that is up now
 *     (S sessions), end-to-end msg/s.</li>
 * </ol>
 * <pre>
 * test-harness/bench/backlog.sh          (N=100000 S=10 SIZE=10240 XMX=256m NEW_RATE=20 WORK=/tmp/backlog-run)
 * java -cp test-harness/target/benchmarks.jar org.wormhole.bench.BacklogRun REPO WORK N S SIZE XMX NEW_RATE
 * </pre>
 * The work directory (two spools of N x SIZE each at most) is deleted at the end unless KEEP=1.
 *
 * <p>Longer than our classes usually are: a load run read top to bottom as the steps above, each
 * step's measurement next to it; its helpers (SiteProcess, OrderedSink, SmtpSession) are apart.
 */
public final class BacklogRun {

    private static final String TOKYO = "relay.tokyo.example";

    private final Path repo;
    private final Path work;
    private final int n;
    private final int sessions;
    private final int size;
    private final String xmx;
    private final int newRate;
    private final List<String> report = new ArrayList<>();

    private BacklogRun(String[] args) {
        repo = Path.of(args[0]).toAbsolutePath();
        work = Path.of(args[1]).toAbsolutePath();
        n = Integer.parseInt(args[2]);
        sessions = Integer.parseInt(args[3]);
        size = Integer.parseInt(args[4]);
        xmx = args[5];
        newRate = Integer.parseInt(args[6]);
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 7) {
            System.err.println("usage: BacklogRun REPO WORK N SESSIONS SIZE XMX NEW_RATE");
            System.exit(2);
        }
        int rc = new BacklogRun(args).run();
        System.exit(rc);
    }

    private int run() throws Exception {
        BenchSites sites = new BenchSites(repo, work);
        BenchSites.deleteTree(work);
        Files.createDirectories(work);
        int tSmtp = BenchSites.freePort();
        int bSmtp = BenchSites.freePort();
        int bLink = BenchSites.freePort();
        String tokyoPin = sites.keygen("tokyo");
        String birlPin = sites.keygen("birlinghoven");
        try (OrderedSink sink = new OrderedSink(TOKYO)) {
            sites.write("tokyo", tSmtp, "birlinghoven.example tsmtp:birlinghoven\n",
                    "minimal_backoff_time = 30m\nmaximal_backoff_time = 1h\nlink_maximal_backoff_time = 1s\n"
                            + "peers { birlinghoven { address = \"127.0.0.1\", port = " + bLink + ", pins = [\"" + birlPin
                            + "\"], dial = true } }\n");
            sites.write("birlinghoven", bSmtp, "birlinghoven.example esmtp:[127.0.0.1]:" + sink.port() + "\n",
                    "link_listen = \"127.0.0.1:" + bLink + "\"\n"
                            + "peers { tokyo { address = \"127.0.0.1\", pins = [\"" + tokyoPin + "\"], dial = false } }\n");
            SiteProcess tokyo = sites.process("tokyo");
            SiteProcess birl = sites.process("birlinghoven");
            try {
                return measure(tokyo, birl, sink, tSmtp);
            } finally {
                tokyo.close();
                birl.close();
                Files.write(work.resolve("result.txt"), report, StandardCharsets.UTF_8);
                if (!"1".equals(System.getenv("KEEP"))) {
                    BenchSites.deleteTree(work.resolve("tokyo/spool"));
                    BenchSites.deleteTree(work.resolve("birlinghoven/spool"));
                }
            }
        }
    }

    private int measure(SiteProcess tokyo, SiteProcess birl, OrderedSink sink, int tSmtp) throws Exception {
        say("cores=%d messages=%d sessions=%d size=%d xmx=%s new_rate=%d/s", Runtime.getRuntime().availableProcessors(),
                n, sessions, size, xmx, newRate);
        // 1. The backlog, with the link down.
        tokyo.start("");
        if (tokyo.awaitLog("running: SMTP on", 60_000) < 0) {
            say("tokyo did not start: see %s", work.resolve("tokyo.log"));
            return 1;
        }
        long t0 = System.nanoTime();
        int accepted = push(tSmtp, n, "", 1800);
        double pushSecs = (System.nanoTime() - t0) / 1e9;
        say("fill: accepted %d of %d in %.1f s = %.0f msg/s (link down)", accepted, n, pushSecs, accepted / pushSecs);
        Path deferred = work.resolve("tokyo/spool/deferred");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(900);
        while (files(deferred) < accepted && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        say("fill: %d deferred after %.1f s", files(deferred), (System.nanoTime() - t0) / 1e9);
        tokyo.close();
        // 2. Restart on the backlog.
        String opts = "-Xmx" + xmx + " -Xlog:gc:file=" + work.resolve("tokyo-gc.log");
        long started = tokyo.start(opts);
        HeapSampler heap = new HeapSampler(tokyo);
        heap.start();
        long first250 = firstAccepted(tSmtp, started, 120_000);
        tokyo.awaitLog("queue resumed", 600_000);
        long t = tokyo.startMillis();
        say("restart: first 250 for a new message %.2f s after the process started; logged (s after start):"
                        + " mailertable loaded %.2f, smtpd listening %.2f, relay started %.2f, queue resumed %.2f",
                secs(started, first250), (tokyo.loggedAt("mailertable") - t) / 1e3,
                (tokyo.loggedAt("smtpd: listening on") - t) / 1e3, (tokyo.loggedAt("relay: relay " + TOKYO + " started") - t) / 1e3,
                (tokyo.loggedAt("queue resumed") - t) / 1e3);
        long liveResumed = tokyo.liveKb();
        say("heap: live after full GC, backlog resumed: %d MB (-Xmx%s)", liveResumed / 1024, xmx);
        // 3. The link comes up: drain, while new mail is submitted.
        int before = sink.count();
        NewMail fresh = new NewMail(tSmtp, newRate);
        fresh.start();
        long birlStart = birl.start("");
        long drainDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3600);
        int lastCount = -1;
        long lastProgress = System.nanoTime();
        while (backlogArrived(sink) < accepted && System.nanoTime() < drainDeadline
                && System.nanoTime() - lastProgress < TimeUnit.SECONDS.toNanos(120)) {
            Thread.sleep(200);
            int c = sink.count();
            if (c != lastCount) {
                lastCount = c;
                lastProgress = System.nanoTime();
            }
        }
        long drainEnd = System.nanoTime();
        fresh.stop();
        List<OrderedSink.Arrival> all = sink.arrivals().subList(before, sink.count());
        List<OrderedSink.Arrival> backlog = all.stream().filter(a -> !a.isNew()).toList();
        if (backlog.isEmpty()) {
            say("drain: nothing arrived");
            return 1;
        }
        long firstB = backlog.get(0).atNanos();
        long lastB = backlog.get(backlog.size() - 1).atNanos();
        say("drain: %d of %d backlog messages arrived; first %.2f s after Birlinghoven started, last %.2f s later:"
                        + " %.0f msg/s", backlog.size(), accepted, secs(birlStart, firstB), (lastB - firstB) / 1e9,
                backlog.size() / ((lastB - firstB) / 1e9));
        order(backlog);
        List<OrderedSink.Arrival> during = all.stream().filter(a -> a.isNew() && a.atNanos() <= lastB).toList();
        long[] latency = all.stream().filter(OrderedSink.Arrival::isNew)
                .filter(a -> a.submittedNanos() >= firstB && a.submittedNanos() <= lastB)
                .mapToLong(a -> (a.atNanos() - a.submittedNanos()) / 1_000_000).sorted().toArray();
        say("new mail during the drain: %d submitted (%d msg/s), %d accepted, %d arrived before the backlog's last;"
                        + " latency of those submitted during the drain: %s", fresh.submitted.get(), newRate,
                fresh.accepted.get(), during.size(), percentiles(latency));
        heap.stop();
        long liveEnd = tokyo.liveKb();
        say("heap: most used %d MB (of %d MB committed at most), live after full GC after the drain %d MB;"
                        + " full GCs in the gc log besides jcmd's: %d", heap.maxUsedKb.get() / 1024,
                heap.maxCommittedKb.get() / 1024, liveEnd / 1024, fullGcs());
        List<String> histogram = tokyo.histogram(30);
        Files.write(work.resolve("tokyo-histogram.txt"), histogram, StandardCharsets.UTF_8);
        histogram.stream().skip(3).limit(6).forEach(l -> say("  live: %s", l.trim()));
        say("tokyo alive at the end: %s", tokyo.alive());
        // 4. Baseline: fresh mail over the link that is up.
        int baseN = Math.min(n, 10_000);
        int at = sink.count();
        long b0 = System.nanoTime();
        int baseAccepted = push(tSmtp, baseN, "", 600);
        long baseDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(600);
        List<OrderedSink.Arrival> base = List.of();
        while (base.size() < baseAccepted && System.nanoTime() < baseDeadline) {
            Thread.sleep(50);
            List<OrderedSink.Arrival> since = sink.arrivals();
            base = since.subList(at, since.size()).stream().filter(a -> !a.isNew()).toList();
        }
        long bLast = base.get(base.size() - 1).atNanos();
        double baseRate = base.size() / ((bLast - b0) / 1e9);
        say("baseline, same run: %d fresh messages over the link end to end at %.0f msg/s; drain/baseline = %.2f",
                base.size(), baseRate, backlog.size() / ((lastB - firstB) / 1e9) / baseRate);
        say("(drain loop ended %.1f s after Birlinghoven started)", secs(birlStart, drainEnd));
        return 0;
    }

    private static int backlogArrived(OrderedSink sink) {
        int c = 0;
        for (OrderedSink.Arrival a : sink.arrivals()) {
            if (!a.isNew()) {
                c++;
            }
        }
        return c;
    }

    /** The backlog's arrival order against its age (queue id) order: inversions and how far any message moved. */
    private void order(List<OrderedSink.Arrival> backlog) {
        String[] ids = backlog.stream().map(OrderedSink.Arrival::firstQueueId).toArray(String[]::new);
        String[] sorted = ids.clone();
        Arrays.sort(sorted);
        long maxDisplacement = 0;
        long displaced = 0;
        for (int i = 0; i < ids.length; i++) {
            int rank = Arrays.binarySearch(sorted, ids[i]);
            long d = Math.abs(rank - i);
            maxDisplacement = Math.max(maxDisplacement, d);
            if (d > 1000) {
                displaced++;
            }
        }
        long inversions = inversions(ids.clone(), new String[ids.length], 0, ids.length);
        double pairs = (double) ids.length * (ids.length - 1) / 2;
        say("order: %d inversions of %.0f pairs (%.4f%%; random order is 50%%), largest displacement %d places,"
                        + " %d message(s) more than 1000 places from their age rank", inversions, pairs,
                100 * inversions / pairs, maxDisplacement, displaced);
    }

    /** Inversions of a[from, to) by merge sort. */
    private static long inversions(String[] a, String[] tmp, int from, int to) {
        if (to - from < 2) {
            return 0;
        }
        int mid = (from + to) >>> 1;
        long inv = inversions(a, tmp, from, mid) + inversions(a, tmp, mid, to);
        int i = from;
        int j = mid;
        int k = from;
        while (i < mid || j < to) {
            if (j >= to || i < mid && a[i].compareTo(a[j]) <= 0) {
                tmp[k++] = a[i++];
            } else {
                inv += mid - i;
                tmp[k++] = a[j++];
            }
        }
        System.arraycopy(tmp, from, a, from, to - from);
        return inv;
    }

    private static String percentiles(long[] sortedMillis) {
        if (sortedMillis.length == 0) {
            return "none";
        }
        return String.format("median %d ms, p95 %d ms, max %d ms (%d messages)", sortedMillis[sortedMillis.length / 2],
                sortedMillis[(int) (sortedMillis.length * 0.95)], sortedMillis[sortedMillis.length - 1], sortedMillis.length);
    }

    /** Pushes {@code count} messages over {@link #sessions} sessions within {@code maxSecs}; returns how many got 250. */
    private int push(int port, int count, String headers, int maxSecs) throws InterruptedException {
        byte[] message = SmtpSession.message(size, headers);
        AtomicInteger next = new AtomicInteger();
        AtomicInteger accepted = new AtomicInteger();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(maxSecs);
        CountDownLatch done = new CountDownLatch(sessions);
        for (int t = 0; t < sessions; t++) {
            Thread th = new Thread(() -> {
                try (SmtpSession s = new SmtpSession(port, 5000)) {
                    while (next.getAndIncrement() < count && System.nanoTime() < deadline) {
                        if (s.send("user@birlinghoven.example", message)) {
                            accepted.incrementAndGet();
                        }
                    }
                } catch (IOException e) {
                    System.err.println("client: " + e);
                } finally {
                    done.countDown();
                }
            }, "push-" + t);
            th.start();
        }
        done.await();
        return accepted.get();
    }

    /** Tries to submit one new message until it gets 250; returns when (System.nanoTime), or -1. */
    private long firstAccepted(int port, long since, long timeoutMillis) throws InterruptedException {
        long deadline = since + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (System.nanoTime() < deadline) {
            try (SmtpSession s = new SmtpSession(port, 1000)) {
                if (s.send("user@birlinghoven.example", SmtpSession.message(size, "X-New: " + System.nanoTime() + "\r\n"))) {
                    return System.nanoTime();
                }
            } catch (IOException notYet) {
                Thread.sleep(10);
            }
        }
        return -1;
    }

    /** New mail at a steady rate on one session (reconnecting if it drops), until stopped. */
    private final class NewMail {
        final AtomicInteger submitted = new AtomicInteger();
        final AtomicInteger accepted = new AtomicInteger();
        private final AtomicBoolean stopping = new AtomicBoolean();
        private final Thread thread;

        NewMail(int port, int rate) {
            long gap = 1_000_000_000L / Math.max(1, rate);
            thread = new Thread(() -> {
                long next = System.nanoTime();
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(3600);
                while (!stopping.get() && System.nanoTime() < end) {
                    try (SmtpSession s = new SmtpSession(port, 5000)) {
                        while (!stopping.get() && System.nanoTime() < end) {
                            long wait = next - System.nanoTime();
                            if (wait > 0) {
                                TimeUnit.NANOSECONDS.sleep(wait);
                            }
                            next += gap;
                            submitted.incrementAndGet();
                            if (s.send("user@birlinghoven.example", SmtpSession.message(size, "X-New: " + System.nanoTime() + "\r\n"))) {
                                accepted.incrementAndGet();
                            }
                        }
                    } catch (IOException e) {
                        System.err.println("new mail: " + e);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "new-mail");
        }

        void start() {
            thread.start();
        }

        void stop() throws InterruptedException {
            stopping.set(true);
            thread.join(130_000);
        }
    }

    /** Samples a relay's heap once a second: the most used and committed. */
    private static final class HeapSampler {
        final AtomicLong maxUsedKb = new AtomicLong();
        final AtomicLong maxCommittedKb = new AtomicLong();
        private final AtomicBoolean stopping = new AtomicBoolean();
        private final Thread thread;

        HeapSampler(SiteProcess site) {
            thread = new Thread(() -> {
                while (!stopping.get() && site.alive()) {
                    long[] h = site.heapKb();
                    if (h != null) {
                        maxUsedKb.accumulateAndGet(h[0], Math::max);
                        maxCommittedKb.accumulateAndGet(h[1], Math::max);
                    }
                    try {
                        Thread.sleep(1000);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "heap-sampler");
            thread.setDaemon(true);
        }

        void start() {
            thread.start();
        }

        void stop() throws InterruptedException {
            stopping.set(true);
            thread.interrupt();
            thread.join(60_000);
        }
    }

    private long fullGcs() throws IOException {
        Path gc = work.resolve("tokyo-gc.log");
        if (!Files.exists(gc)) {
            return -1;
        }
        try (Stream<String> lines = Files.lines(gc)) {
            return lines.filter(l -> l.contains("Pause Full") && !l.contains("Diagnostic Command")
                    && !l.contains("Heap Inspection")).count();
        }
    }

    private static long files(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.count();
        }
    }

    private static double secs(long from, long to) {
        return to < 0 ? -1 : (to - from) / 1e9;
    }

    private void say(String format, Object... args) {
        String line = String.format(format, args);
        report.add(line);
        System.out.println(line);
        System.out.flush();
    }

}
