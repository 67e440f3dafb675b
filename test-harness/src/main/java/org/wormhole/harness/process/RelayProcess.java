package org.wormhole.harness.process;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A {@code wormhole} command as its own process, as an admin runs it ({@code java ... 
 * org.wormhole.cli.Wormhole ARGS}, WORMHOLE_HOME set, WORMHOLE_JAVA_OPTS not passed on), its
 * output either collected line by line (stdout and stderr apart) or appended to a log file (both
 * in one, as a service manager's journal keeps them, so that a crash and the next start read as
 * one story). Stopped with SIGTERM, or crashed with SIGKILL.
 *
 * <p>Longer than our classes usually are: the one place tests and the proving ground start a real
 * relay process (the launcher's environment, its ports and files, its output, its death), so that
 * none of them starts one its own way.
 */
public final class RelayProcess implements AutoCloseable {

    /** The JVM flags of a test's relay: a small heap, quick to start. */
    public static final List<String> SMALL_JVM = List.of("-Xmx96m", "-XX:TieredStopAtLevel=1");

    /** The class with {@code wormhole}'s main method. */
    public static final String MAIN_CLASS = "org.wormhole.cli.Wormhole";

    /** How long {@link #awaitErr(String)} waits: generous on a loaded machine. */
    public static final Duration AWAIT_DEADLINE = Duration.ofSeconds(30);

    /** setsid(1), where there is one. */
    private static final String SETSID = Stream.of("/usr/bin/setsid", "/bin/setsid")
            .filter(p -> Files.isExecutable(Path.of(p))).findFirst().orElse(null);

    private static final Pattern RUNNING = Pattern.compile("running: SMTP on 127\\.0\\.0\\.1:(\\d+)");

    private final Process process;
    private final Output output;

    private RelayProcess(Process process, Output output) {
        this.process = process;
        this.output = output;
    }

    /** {@code wormhole ARGS} on this JVM's class path, with {@link #SMALL_JVM}; its output collected. */
    public static RelayProcess start(Path home, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(java()));
        cmd.addAll(SMALL_JVM);
        cmd.addAll(List.of("-cp", absoluteClassPath(), MAIN_CLASS));
        cmd.addAll(List.of(args));
        return start(home, cmd);
    }

    /** A command line as given (e.g. the jar run under another user); its output collected. */
    public static RelayProcess start(Path home, List<String> cmd) throws IOException {
        Process p = builder(home, cmd).start();
        return new RelayProcess(p, new Collected(p));
    }

    /**
     * A command line as given, its stdout and stderr appended to {@code log}; {@link #err()} is what
     * it logged there since this start.
     */
    public static RelayProcess start(Path home, List<String> cmd, Path log) throws IOException {
        long offset = Files.exists(log) ? Files.size(log) : 0;
        ProcessBuilder pb = builder(home, cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        return new RelayProcess(pb.start(), new LogFile(log, offset));
    }

    private static ProcessBuilder builder(Path home, List<String> cmd) {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(home.toFile());
        pb.environment().put("WORMHOLE_HOME", home.toString());
        pb.environment().remove("WORMHOLE_JAVA_OPTS");
        return pb;
    }

    /**
     * {@code cmd} in a session of its own, as a service manager starts it: with the kernel's
     * autogroup scheduling a relay otherwise shares one CPU share with whatever else the calling
     * shell started, while Postfix's master calls setsid() itself. setsid(1) execs in place (the
     * caller is not a group leader): the pid stays the command's. As given where there is no setsid.
     */
    public static List<String> inOwnSession(List<String> cmd) {
        if (SETSID == null) {
            return cmd;
        }
        List<String> wrapped = new ArrayList<>(List.of(SETSID));
        wrapped.addAll(cmd);
        return wrapped;
    }

    /**
     * The SMTP port a relay's {@code running:} line names: the port it bound, so that a test can
     * configure {@code listen = "127.0.0.1:0"} and connect where the relay listens.
     */
    public static int smtpPort(String runningLine) {
        Matcher m = RUNNING.matcher(runningLine);
        if (!m.find()) {
            throw new AssertionError("no 'running: SMTP on 127.0.0.1:PORT' in: " + runningLine);
        }
        return Integer.parseInt(m.group(1));
    }

    /** This JVM's java executable. */
    public static String java() {
        return ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    private static String absoluteClassPath() {
        return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(e -> !e.isEmpty())
                .map(e -> Path.of(e).toAbsolutePath().toString())
                .collect(Collectors.joining(File.pathSeparator));
    }

    public long pid() {
        return process.pid();
    }

    public boolean alive() {
        return process.isAlive();
    }

    /**
     * What it wrote to stderr (the relay's log and its messages) so far; with a log file, what it
     * wrote there (stdout and stderr) since this start.
     */
    public String err() {
        return output.err();
    }

    /** What it wrote to stdout so far; empty with a log file (there it is part of {@link #err()}). */
    public String out() {
        return output.out();
    }

    /**
     * Waits until a stderr line contains {@code fragment} (see {@link #err()}), or the process
     * ends, or {@code max} passes; true if the line is there.
     */
    public boolean awaitErr(String fragment, Duration max) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        while (!output.errContains(fragment) && process.isAlive()) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            Thread.sleep(20); // the polling interval, not a wait for anything
        }
        return output.errContains(fragment);
    }

    /**
     * Waits until a stderr line contains {@code fragment}; fails (AssertionError) if the process
     * ends first or {@link #AWAIT_DEADLINE} passes.
     */
    public void awaitErr(String fragment) throws InterruptedException {
        if (awaitErr(fragment, AWAIT_DEADLINE)) {
            return;
        }
        if (process.isAlive()) {
            throw new AssertionError("timed out after " + AWAIT_DEADLINE.toSeconds() + " s waiting for '" + fragment
                    + "' from pid " + pid() + " (so far: " + err() + ")");
        }
        throw new AssertionError("pid " + pid() + " ended with " + process.exitValue() + " before '" + fragment
                + "': " + err());
    }

    /** Waits for the process to end by itself; its exit code. */
    public int exitCode() throws InterruptedException {
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            throw new AssertionError("pid " + pid() + " did not end: " + err());
        }
        output.drain();
        return process.exitValue();
    }

    /** SIGKILL, as a crash: no shutdown hook runs. */
    public void kill9() throws InterruptedException {
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

    /** Where a process's output goes. */
    private sealed interface Output permits Collected, LogFile {

        String err();

        String out();

        boolean errContains(String fragment);

        /** Waits for the rest of the output of a process that ended. */
        void drain() throws InterruptedException;
    }

    /** Stdout and stderr read line by line into memory. */
    private static final class Collected implements Output {

        private final List<String> out = new CopyOnWriteArrayList<>();
        private final List<String> err = new CopyOnWriteArrayList<>();
        private final Thread outPump;
        private final Thread errPump;

        Collected(Process process) {
            this.outPump = pump(process.getInputStream(), out, "stdout");
            this.errPump = pump(process.getErrorStream(), err, "stderr");
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

        @Override
        public String err() {
            return String.join("\n", err);
        }

        @Override
        public String out() {
            return String.join("\n", out);
        }

        @Override
        public boolean errContains(String fragment) {
            return err.stream().anyMatch(l -> l.contains(fragment));
        }

        @Override
        public void drain() throws InterruptedException {
            outPump.join(10_000);
            errPump.join(10_000);
        }
    }

    /** Stdout and stderr appended to one file; read from where this start began. */
    private record LogFile(Path log, long offset) implements Output {

        @Override
        public String err() {
            try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
                long len = f.length();
                if (len <= offset) {
                    return "";
                }
                byte[] b = new byte[(int) Math.min(len - offset, 64 << 20)];
                f.seek(offset);
                f.readFully(b);
                return new String(b, StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "";
            }
        }

        @Override
        public String out() {
            return "";
        }

        @Override
        public boolean errContains(String fragment) {
            return err().contains(fragment);
        }

        @Override
        public void drain() {
            // the process wrote to the file itself
        }
    }
}
