package org.wormhole.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One relay run as a process of the real launcher ({@code relay/bin/wormhole run}), its stderr in
 * a log file, JVM options through {@code WORMHOLE_JAVA_OPTS}; and {@code jcmd} on it for the heap.
 */
final class SiteProcess implements AutoCloseable {

    private static final Pattern HEAP_USED = Pattern.compile("total (\\d+)K, used (\\d+)K");

    private final Path launcher;
    private final Path config;
    private final Path log;
    private Process process;
    private long startNanos;
    private long startMillis;
    /** The log's length when the relay was last started: {@link #awaitLog} reads from there. */
    private long logStart;

    SiteProcess(Path launcher, Path config, Path log) {
        this.launcher = launcher;
        this.config = config;
        this.log = log;
    }

    /** Starts the relay with {@code javaOpts}; returns the time it was started (System.nanoTime). */
    long start(String javaOpts) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(launcher.toString(), "run", "--config", config.toString());
        pb.environment().put("WORMHOLE_JAVA_OPTS", javaOpts);
        pb.redirectErrorStream(true);
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        logStart = Files.exists(log) ? Files.size(log) : 0;
        startNanos = System.nanoTime();
        startMillis = System.currentTimeMillis();
        process = pb.start();
        return startNanos;
    }

    long startNanos() {
        return startNanos;
    }

    long pid() {
        return process.pid();
    }

    boolean alive() {
        return process != null && process.isAlive();
    }

    /**
     * Waits (polling the log written since the last start) until a line containing {@code text}
     * is written; returns when it was seen, or -1.
     */
    long awaitLog(String text, long timeoutMillis) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        long from = logStart;
        while (System.nanoTime() < deadline) {
            try (FileChannel ch = FileChannel.open(log, StandardOpenOption.READ)) {
                long size = ch.size();
                if (size > from) {
                    ByteBuffer buf = ByteBuffer.allocate((int) Math.min(size - from, 64 << 20));
                    ch.read(buf, from);
                    if (new String(buf.array(), 0, buf.position(), StandardCharsets.ISO_8859_1).contains(text)) {
                        return System.nanoTime();
                    }
                    from = Math.max(from, from + buf.position() - text.length());
                }
            }
            if (!alive()) {
                return -1;
            }
            Thread.sleep(20);
        }
        return -1;
    }

    /**
     * When the first line since the last start that contains {@code text} was logged (its
     * timestamp, epoch ms), or -1 if none is (yet).
     */
    long loggedAt(String text) throws IOException {
        try (FileChannel ch = FileChannel.open(log, StandardOpenOption.READ)) {
            ByteBuffer buf = ByteBuffer.allocate((int) Math.min(ch.size() - logStart, 64 << 20));
            ch.read(buf, logStart);
            for (String line : new String(buf.array(), 0, buf.position(), StandardCharsets.ISO_8859_1).split("\n")) {
                if (line.contains(text) && line.length() > 24 && line.charAt(10) == 'T') {
                    return Instant.parse(line.substring(0, 24)).toEpochMilli();
                }
            }
        }
        return -1;
    }

    /** When the relay was last started, epoch ms. */
    long startMillis() {
        return startMillis;
    }

    /** Heap used and committed in KB now ({@code jcmd GC.heap_info}), or null if jcmd failed. */
    long[] heapKb() {
        String out = jcmd("GC.heap_info");
        Matcher m = HEAP_USED.matcher(out);
        return m.find() ? new long[] {Long.parseLong(m.group(2)), Long.parseLong(m.group(1))} : null;
    }

    /** Heap used in KB right after a full collection: the live set. */
    long liveKb() {
        jcmd("GC.run");
        long[] h = heapKb();
        return h == null ? -1 : h[0];
    }

    /** The live objects by class, largest first ({@code jcmd GC.class_histogram}, a full GC first): its first lines. */
    List<String> histogram(int lines) {
        return jcmd("GC.class_histogram").lines().limit(lines).toList();
    }

    private String jcmd(String command) {
        try {
            Process p = new ProcessBuilder(List.of("jcmd", Long.toString(pid()), command)).redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            p.waitFor(30, TimeUnit.SECONDS);
            return new String(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    /** SIGTERM, then up to 90 s for a graceful stop, then SIGKILL. */
    @Override
    public void close() throws InterruptedException {
        if (process == null) {
            return;
        }
        process.destroy();
        if (!process.waitFor(90, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        process = null;
    }
}
