package org.wormhole.bench;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import org.subethamail.smtp.server.SMTPServer;

/**
 * Issue 10 item 7: one very large message (default 1 GB) through both relays, each with a small
 * heap, and its body's SHA-256 compared at the end. Tokyo and Birlinghoven are processes of the
 * real launcher joined by the link; the client streams the message (generated lines, hashed as
 * they are written) into Tokyo; Birlinghoven's hub is a sink in this JVM that hashes the body it
 * receives (everything after the header block: the relays add trace headers, never touch the
 * body). The baseline of the same run: BASE_N messages of 10 MB over as many sessions, MB/s end
 * to end. Prints both rates, their ratio, the digests and whether each relay's log is clean.
 *
 * <p>Usage: LargeMessageRun REPO WORK SIZE_MB XMX BASE_N (test-harness/bench/large-message.sh).
 */
public final class LargeMessageRun {

    private static final int LINE = 76;
    private static final byte[] ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
            .getBytes(StandardCharsets.US_ASCII);

    private final Path repo;
    private final Path work;
    private final long sizeBytes;
    private final String xmx;
    private final int baseN;

    private LargeMessageRun(String[] args) {
        repo = Path.of(args[0]).toAbsolutePath();
        work = Path.of(args[1]).toAbsolutePath();
        sizeBytes = Long.parseLong(args[2]) * 1_000_000L;
        xmx = args[3];
        baseN = Integer.parseInt(args[4]);
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 5) {
            System.err.println("usage: LargeMessageRun REPO WORK SIZE_MB XMX BASE_N");
            System.exit(2);
        }
        System.exit(new LargeMessageRun(args).run());
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
        String limit = "message_size_limit = " + (sizeBytes + 10_000_000) + "\n";
        try (HashingSink sink = new HashingSink((int) Math.min(Integer.MAX_VALUE, sizeBytes + 20_000_000))) {
            sites.write("tokyo", tSmtp, "birlinghoven.example tsmtp:birlinghoven\n", limit
                    + "peers { birlinghoven { address = \"127.0.0.1\", port = " + bLink + ", pins = [\"" + birlPin
                    + "\"], dial = true } }\n");
            sites.write("birlinghoven", bSmtp, "birlinghoven.example esmtp:[127.0.0.1]:" + sink.port() + "\n", limit
                    + "link_listen = \"127.0.0.1:" + bLink + "\"\n"
                    + "peers { tokyo { address = \"127.0.0.1\", pins = [\"" + tokyoPin + "\"], dial = false } }\n");
            SiteProcess birl = sites.process("birlinghoven");
            SiteProcess tokyo = sites.process("tokyo");
            try {
                String opts = "-Xmx" + xmx;
                birl.start(opts);
                tokyo.start(opts);
                if (birl.awaitLog("running: SMTP on", 60_000) < 0 || tokyo.awaitLog("link to birlinghoven up", 60_000) < 0) {
                    System.out.println("FAILED: the relays did not start or link (logs in " + work + ")");
                    return 1;
                }
                return measure(sink, tSmtp);
            } finally {
                tokyo.close();
                birl.close();
                for (String site : List.of("tokyo", "birlinghoven")) {
                    BenchSites.deleteTree(work.resolve(site + "/spool"));
                }
            }
        }
    }

    private int measure(HashingSink sink, int tSmtp) throws Exception {
        System.out.printf("large message: %d MB through Tokyo -> link -> Birlinghoven -> sink, both relays -Xmx%s; "
                + "baseline %d x 10 MB in the same run%n", sizeBytes / 1_000_000, xmx, baseN);
        // Baseline: BASE_N x 10 MB, one session each, all at once.
        long b0 = System.nanoTime();
        List<Thread> senders = new ArrayList<>();
        ConcurrentMap<String, String> sentDigests = new ConcurrentHashMap<>();
        for (int i = 0; i < baseN; i++) {
            String id = "base-" + i;
            Thread t = new Thread(() -> {
                try {
                    sentDigests.put(id, send(tSmtp, id, 10_000_000));
                } catch (IOException e) {
                    System.out.println("baseline " + id + ": " + e.getMessage());
                }
            });
            t.start();
            senders.add(t);
        }
        for (Thread t : senders) {
            t.join();
        }
        if (!sink.await(baseN, TimeUnit.MINUTES.toNanos(10))) {
            System.out.println("FAILED: the baseline did not arrive (" + sink.digests().size() + " of " + baseN + ")");
            return 1;
        }
        double baseSecs = (sink.lastArrivalNanos() - b0) / 1e9;
        double baseMbps = baseN * 10.0 / baseSecs;
        long baseMismatch = sentDigests.entrySet().stream().filter(e -> !e.getValue().equals(sink.digests().get(e.getKey())))
                .count();
        System.out.printf("  baseline: %d x 10 MB in %.1f s = %.1f MB/s end to end, %d digest(s) differ%n", baseN, baseSecs,
                baseMbps, baseMismatch);

        long l0 = System.nanoTime();
        String sent = send(tSmtp, "large", sizeBytes);
        long accepted = System.nanoTime();
        if (!sink.await(baseN + 1, TimeUnit.MINUTES.toNanos(30))) {
            System.out.println("FAILED: the large message did not arrive");
            return 1;
        }
        double secs = (sink.lastArrivalNanos() - l0) / 1e9;
        double mbps = sizeBytes / 1e6 / secs;
        String got = sink.digests().get("large");
        boolean same = sent.equals(got);
        System.out.printf("  large: accepted by Tokyo after %.1f s, at the sink after %.1f s = %.1f MB/s end to end "
                + "(%.2f of the baseline)%n", (accepted - l0) / 1e9, secs, mbps, mbps / baseMbps);
        System.out.printf("  body SHA-256 sent     %s%n  body SHA-256 received %s -> %s%n", sent, got,
                same ? "equal" : "DIFFERENT");
        boolean clean = true;
        for (String site : List.of("tokyo", "birlinghoven")) {
            String log = Files.readString(work.resolve(site + ".log"), StandardCharsets.ISO_8859_1);
            boolean oom = log.contains("OutOfMemoryError");
            long errors = log.lines().filter(l -> l.contains(" ERROR ")).count();
            System.out.printf("  %s log: %s, %d ERROR line(s)%n", site, oom ? "OutOfMemoryError" : "no OutOfMemoryError", errors);
            clean &= !oom && errors == 0;
        }
        boolean ok = same && clean && baseMismatch == 0;
        System.out.println(ok ? "PASSED" : "FAILED");
        return ok ? 0 : 1;
    }

    /** Sends one message of about {@code size} bytes named {@code id}; returns its body's SHA-256. */
    private static String send(int port, String id, long size) throws IOException {
        try (Socket s = new Socket()) {
            s.setTcpNoDelay(true);
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 10_000);
            s.setSoTimeout(1_800_000);
            InputStream in = new BufferedInputStream(s.getInputStream());
            OutputStream out = new BufferedOutputStream(s.getOutputStream(), 1 << 16);
            expect(in, '2', "greeting");
            out.write(("EHLO load.example\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            expect(in, '2', "EHLO");
            out.write(("MAIL FROM:<load@client.example> SIZE=" + size + "\r\nRCPT TO:<user@birlinghoven.example>\r\nDATA\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            expect(in, '2', "MAIL");
            expect(in, '2', "RCPT");
            expect(in, '3', "DATA");
            out.write(("From: load@client.example\r\nTo: user@birlinghoven.example\r\nSubject: large\r\nX-Large-Id: " + id
                    + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            MessageDigest sha = sha256();
            SplittableRandom rnd = new SplittableRandom(id.hashCode());
            byte[] line = new byte[LINE + 2];
            line[LINE] = '\r';
            line[LINE + 1] = '\n';
            for (long written = 0; written < size; written += line.length) {
                for (int i = 0; i < LINE; i++) {
                    line[i] = ALPHABET[rnd.nextInt(ALPHABET.length)];
                }
                sha.update(line);
                out.write(line);
            }
            out.write(".\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            expect(in, '2', "end of data");
            out.write("QUIT\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return HexFormat.of().formatHex(sha.digest());
        }
    }

    private static void expect(InputStream in, char digit, String what) throws IOException {
        if (!SmtpSession.expect(in, digit)) {
            throw new IOException("refused at " + what);
        }
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A sink that hashes each message's body (after the first empty line) as it streams in, by X-Large-Id. */
    private static final class HashingSink implements AutoCloseable {
        private final SMTPServer server;
        private final ConcurrentMap<String, String> digests = new ConcurrentHashMap<>();
        private volatile long lastArrival;

        HashingSink(int maxSize) {
            server = BenchSink.start(maxSize, 100, this::arrived);
        }

        int port() {
            return server.getPortAllocated();
        }

        private void arrived(InputStream data) throws IOException {
            InputStream in = new BufferedInputStream(data, 1 << 16);
            StringBuilder headers = new StringBuilder();
            int b;
            int state = 0; // CR LF CR LF seen so far
            while (state < 4 && (b = in.read()) >= 0) {
                headers.append((char) b);
                state = (b == '\r' && (state == 0 || state == 2)) || (b == '\n' && (state == 1 || state == 3)) ? state + 1
                        : b == '\r' ? 1 : 0;
            }
            MessageDigest sha = sha256();
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) {
                sha.update(buf, 0, n);
            }
            String id = headers.toString().lines().filter(l -> l.startsWith("X-Large-Id: ")).map(l -> l.substring(12).strip())
                    .findFirst().orElse("?");
            digests.put(id, HexFormat.of().formatHex(sha.digest()));
            lastArrival = System.nanoTime();
            synchronized (this) {
                notifyAll();
            }
        }

        synchronized boolean await(int count, long timeoutNanos) throws InterruptedException {
            long deadline = System.nanoTime() + timeoutNanos;
            while (digests.size() < count) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
            return true;
        }

        ConcurrentMap<String, String> digests() {
            return digests;
        }

        long lastArrivalNanos() {
            return lastArrival;
        }

        @Override
        public void close() {
            server.stop();
        }
    }
}
