package org.wormhole.proving;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One site's relay as its own process: {@code java -cp wormhole.jar org.wormhole.cli.Wormhole run
 * --config FILE}, its log (stdout and stderr) appended to {@code relay.log} in the site's
 * directory over every start, so a crash and the next start read as one story.
 */
final class WormholeProcess implements Relay {

    /** setsid(1), where there is one. */
    private static final String SETSID = Stream.of("/usr/bin/setsid", "/bin/setsid")
            .filter(p -> Files.isExecutable(Path.of(p))).findFirst().orElse(null);

    static final List<String> QUEUES = List.of("incoming", "active", "deferred", "hold");

    private final String name;
    private final Path home;
    private final Path config;
    private final Path jar;
    private final Path log;
    private Process process;
    private long logOffset;
    private int starts;

    WormholeProcess(String name, Path home, Path config, Path jar) {
        this.name = name;
        this.home = home;
        this.config = config;
        this.jar = jar;
        this.log = home.resolve("relay.log");
    }

    @Override
    public String name() {
        return name;
    }

    Path spool() {
        return home.resolve("spool");
    }

    Path log() {
        return log;
    }

    int starts() {
        return starts;
    }

    @Override
    public void start() throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>();
        if (SETSID != null) {
            // A session of its own, as a service manager gives it: with the kernel's autogroup
            // scheduling a relay otherwise shares one CPU share with the proving ground's load and
            // sink (and whatever else this shell started), while Postfix's master calls setsid()
            // itself. setsid(1) execs in place (we are not a group leader): the pid stays the relay's.
            cmd.add(SETSID);
        }
        cmd.addAll(List.of(java, "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", jar.toString(), "org.wormhole.cli.Wormhole", "run", "--config", config.toString()));
        logOffset = Files.exists(log) ? Files.size(log) : 0;
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(home.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().put("WORMHOLE_HOME", home.toString());
        pb.environment().remove("WORMHOLE_JAVA_OPTS");
        process = pb.start();
        starts++;
        if (!Poll.until(Duration.ofSeconds(60), () -> !process.isAlive() || logSinceStart().contains("running: SMTP on"))
                || !process.isAlive()) {
            throw new IOException(name + "'s relay did not start; its log ends with:\n  "
                    + String.join("\n  ", tail(15)));
        }
    }

    /** What it logged since it was last started. */
    String logSinceStart() {
        try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
            long len = f.length();
            if (len <= logOffset) {
                return "";
            }
            byte[] b = new byte[(int) Math.min(len - logOffset, 64 << 20)];
            f.seek(logOffset);
            f.readFully(b);
            return new String(b, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /** Lines of its whole log (every start) that are part of a Java stack trace. */
    long stackTraceLines() {
        try (Stream<String> lines = Files.lines(log, StandardCharsets.UTF_8)) {
            return lines.filter(l -> l.startsWith("\tat ") || l.startsWith("Caused by: ")).count();
        } catch (IOException | UncheckedIOException e) {
            return 0;
        }
    }

    private static final Pattern SENT = Pattern.compile(
            "^(\\S+) INFO +qmgr: ([0-9A-Z]+): to=<[^>]*>,.* status=sent ");

    /**
     * When each queue id's "status=sent" line was logged (its first), by the log's millisecond
     * timestamp: the line follows the record's write and fsync, so it bounds from above the time
     * at which a kill -9 no longer sends the message again.
     */
    Map<String, Long> sentLogged() {
        Map<String, Long> at = new HashMap<>();
        try (Stream<String> lines = Files.lines(log, StandardCharsets.UTF_8)) {
            lines.forEach(l -> {
                Matcher m = SENT.matcher(l);
                if (m.find()) {
                    at.putIfAbsent(m.group(2), OffsetDateTime.parse(m.group(1)).toInstant().toEpochMilli());
                }
            });
        } catch (IOException | UncheckedIOException | DateTimeParseException e) {
            return at;
        }
        return at;
    }

    List<String> tail(int n) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return all.subList(Math.max(0, all.size() - n), all.size());
        } catch (IOException e) {
            return List.of("(no log: " + e.getMessage() + ")");
        }
    }

    @Override
    public void kill9() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    boolean alive() {
        return process != null && process.isAlive();
    }

    @Override
    public boolean queueEmpty() {
        for (String q : QUEUES) {
            if (files(spool().resolve(q)) > 0) {
                return false;
            }
        }
        return true;
    }

    /** Files in {@code corrupt/}: receptions cut by a crash, or damage. */
    long corrupt() {
        return files(spool().resolve("corrupt"));
    }

    static long files(Path dir) {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isRegularFile).count();
        } catch (IOException e) {
            return 0; // a file renamed away meanwhile: ask again
        }
    }

    @Override
    public void close() {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
