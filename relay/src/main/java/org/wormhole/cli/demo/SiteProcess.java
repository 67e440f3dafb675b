package org.wormhole.cli.demo;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * One site's relay as its own process: {@code wormhole run --config FILE}, started with this
 * JVM's java and class path, its log (stderr) going to {@code relay.log} in the site's directory.
 */
final class SiteProcess implements AutoCloseable {

    private final String name;
    private final Path log;
    private final Process process;

    private SiteProcess(String name, Path log, Process process) {
        this.name = name;
        this.log = log;
        this.process = process;
    }

    /** Starts {@code wormhole run --config config} with WORMHOLE_HOME set to {@code home}. */
    static SiteProcess start(String name, Path home, Path config) throws IOException {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx128m", "-XX:TieredStopAtLevel=1",
                "-cp", absoluteClassPath(), "org.wormhole.cli.Wormhole",
                "run", "--config", config.toString()));
        Path log = home.resolve("relay.log");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(home.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().put("WORMHOLE_HOME", home.toString());
        pb.environment().remove("WORMHOLE_JAVA_OPTS");
        return new SiteProcess(name, log, pb.start());
    }

    /** This JVM's class path with every entry absolute: the relay runs in the site's directory. */
    private static String absoluteClassPath() {
        return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(e -> !e.isEmpty())
                .map(e -> Path.of(e).toAbsolutePath().toString())
                .collect(Collectors.joining(File.pathSeparator));
    }

    String name() {
        return name;
    }

    Path log() {
        return log;
    }

    /** The log so far, line by line. */
    List<String> lines() {
        try {
            return Files.readAllLines(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return List.of();
        }
    }

    /**
     * Waits until a log line matches {@code pattern}, the process ends, or {@code deadline}
     * ({@link System#nanoTime()}) passes.
     */
    Optional<Matcher> await(Pattern pattern, long deadline) throws InterruptedException {
        while (true) {
            Optional<Matcher> m = find(pattern);
            if (m.isPresent() || !process.isAlive() || System.nanoTime() > deadline) {
                return m.isPresent() ? m : find(pattern);
            }
            Thread.sleep(100);
        }
    }

    /** The first log line matching {@code pattern}. */
    Optional<Matcher> find(Pattern pattern) {
        for (String line : lines()) {
            Matcher m = pattern.matcher(line);
            if (m.find()) {
                return Optional.of(m);
            }
        }
        return Optional.empty();
    }

    boolean alive() {
        return process.isAlive();
    }

    /** The last {@code n} lines of the log, to show why something did not happen. */
    List<String> tail(int n) {
        List<String> all = lines();
        return all.subList(Math.max(0, all.size() - n), all.size());
    }

    /** SIGTERM (a graceful stop, as systemd does), then a kill if it has not stopped in 20 s. */
    @Override
    public void close() {
        process.toHandle().destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.toHandle().destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.toHandle().destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
