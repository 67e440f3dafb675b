package org.wormhole.proving;

import java.io.IOException;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.wormhole.harness.process.RelayProcess;

/**
 * One site's relay as its own process ({@link RelayProcess}): {@code java -cp wormhole.jar
 * org.wormhole.cli.Wormhole run --config FILE} in a session of its own, its log (stdout and
 * stderr) appended to {@code relay.log} in the site's directory over every start, so a crash and
 * the next start read as one story.
 */
final class WormholeProcess implements Relay {

    /** The JVM flags of a site's relay. */
    private static final List<String> JVM = List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

    static final List<String> QUEUES = List.of("incoming", "active", "deferred", "hold");

    private final String name;
    private final Path home;
    private final Path config;
    private final Path jar;
    private final Path log;
    private RelayProcess process;
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
        List<String> cmd = new ArrayList<>(List.of(RelayProcess.java()));
        cmd.addAll(JVM);
        cmd.addAll(List.of("-cp", jar.toString(), RelayProcess.MAIN_CLASS, "run", "--config", config.toString()));
        // A session of its own, as a service manager gives it: with the kernel's autogroup
        // scheduling a relay otherwise shares one CPU share with the proving ground's load and sink.
        process = RelayProcess.start(home, RelayProcess.inOwnSession(cmd), log);
        starts++;
        if (!process.awaitErr("running: SMTP on", Duration.ofSeconds(60)) || !process.alive()) {
            throw new IOException(name + "'s relay did not start; its log ends with:\n  "
                    + String.join("\n  ", tail(15)));
        }
    }

    /** What it logged since it was last started. */
    String logSinceStart() {
        return process == null ? "" : process.err();
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
        process.kill9();
    }

    boolean alive() {
        return process != null && process.alive();
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
        if (process != null) {
            process.close();
        }
    }
}
