package org.wormhole.harness;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.wormhole.testing.Await;

/**
 * A {@code wormhole} command as its own process, as an admin runs it: this JVM's java and class
 * path (or the packaged jar), WORMHOLE_HOME set, stdout and stderr collected line by line.
 */
final class RelayProcess implements AutoCloseable {

    private final Process process;
    private final List<String> out = new CopyOnWriteArrayList<>();
    private final List<String> err = new CopyOnWriteArrayList<>();
    private final Thread outPump;
    private final Thread errPump;

    private RelayProcess(Process process) {
        this.process = process;
        this.outPump = pump(process.getInputStream(), out, "stdout");
        this.errPump = pump(process.getErrorStream(), err, "stderr");
    }

    /** {@code wormhole ARGS} on this JVM's class path. */
    static RelayProcess start(Path home, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(java(), "-Xmx96m", "-XX:TieredStopAtLevel=1", "-cp",
                absoluteClassPath(), "org.wormhole.cli.Wormhole"));
        cmd.addAll(List.of(args));
        return start(home, cmd);
    }

    /** A command line as given (e.g. the jar run under another user). */
    static RelayProcess start(Path home, List<String> cmd) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(home.toFile());
        pb.environment().put("WORMHOLE_HOME", home.toString());
        pb.environment().remove("WORMHOLE_JAVA_OPTS");
        return new RelayProcess(pb.start());
    }

    private static final Pattern RUNNING = Pattern.compile("running: SMTP on 127\\.0\\.0\\.1:(\\d+)");

    /**
     * The SMTP port a relay's {@code running:} line names: the port it bound, so that a test can
     * configure {@code listen = "127.0.0.1:0"} and connect where the relay listens.
     */
    static int smtpPort(String runningLine) {
        Matcher m = RUNNING.matcher(runningLine);
        if (!m.find()) {
            throw new AssertionError("no 'running: SMTP on 127.0.0.1:PORT' in: " + runningLine);
        }
        return Integer.parseInt(m.group(1));
    }

    static String java() {
        return ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    private static String absoluteClassPath() {
        return java.util.Arrays.stream(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
                .filter(e -> !e.isEmpty())
                .map(e -> Path.of(e).toAbsolutePath().toString())
                .collect(java.util.stream.Collectors.joining(java.io.File.pathSeparator));
    }

    private static Thread pump(InputStream in, List<String> lines, String name) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    lines.add(line);
                }
            } catch (IOException ended) {
                // the process ended
            }
        }, "relay-" + name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    long pid() {
        return process.pid();
    }

    boolean alive() {
        return process.isAlive();
    }

    /** What it wrote to stderr (the relay's log and its messages) so far. */
    String err() {
        return String.join("\n", err);
    }

    String out() {
        return String.join("\n", out);
    }

    /** Waits until a stderr line contains {@code fragment}; fails if the process ends first. */
    void awaitErr(String fragment) throws InterruptedException {
        Await.until(() -> "'" + fragment + "' from pid " + pid() + " (so far: " + err() + ")",
                () -> err.stream().anyMatch(l -> l.contains(fragment)) || !process.isAlive());
        if (err.stream().noneMatch(l -> l.contains(fragment))) {
            throw new AssertionError("pid " + pid() + " ended with " + process.exitValue() + " before '" + fragment
                    + "': " + err());
        }
    }

    /** Waits for the process to end by itself; its exit code. */
    int exitCode() throws InterruptedException {
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            throw new AssertionError("pid " + pid() + " did not end: " + err());
        }
        outPump.join(10_000); // the rest of its output
        errPump.join(10_000);
        return process.exitValue();
    }

    /** SIGKILL, as a crash: no shutdown hook runs. */
    void kill9() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(20, TimeUnit.SECONDS);
    }

    /** SIGTERM, then SIGKILL if it has not stopped within 20 s. */
    @Override
    public void close() {
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
