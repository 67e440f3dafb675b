package org.wormhole.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real {@code wormhole} launcher and jar, run as an admin runs them: separate processes,
 * a WORMHOLE_HOME with its own config/, a table edited while a process watches it.
 */
class LauncherTest {

    private static final Path LAUNCHER = Path.of("../relay/bin/wormhole").toAbsolutePath().normalize();

    @TempDir
    Path home;

    /** What one run printed and how it exited. */
    record Run(int exit, String out, String err) {
    }

    private Run run(String... args) throws Exception {
        Process p = start(args);
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "wormhole did not finish");
        return new Run(p.exitValue(), out, err);
    }

    private Process start(String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(LAUNCHER.toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(home.toFile());
        pb.environment().put("WORMHOLE_HOME", home.toString());
        return pb.start();
    }

    private Path table(String text) throws IOException {
        Path conf = Files.createDirectories(home.resolve("config"));
        return Files.writeString(conf.resolve("mailertable"), text);
    }

    @Test
    void lookupWithoutFileUsesTheTableUnderWormholeHome() throws Exception {
        table("tokyo.example tsmtp:[relay.tokyo.example]\n.tokyo.example tsmtp:[relay.tokyo.example]\n");
        Run r = run("mailertable", "lookup", "user@mail.tokyo.example");
        assertEquals(0, r.exit(), r.err());
        assertEquals("tsmtp:[relay.tokyo.example]\n", r.out());

        r = run("mailertable", "lookup", "user@elsewhere.example");
        assertEquals(1, r.exit());
        assertEquals("no match\n", r.err());
    }

    @Test
    void exitCodesOfTheRealProcess() throws Exception {
        Path t = table("a.example esmtp:[mx.a.example]\nb.example bogus:x\n");
        assertEquals(0, run("--help").exit());
        assertEquals(1, run("mailertable", "check", t.toString()).exit());
        assertEquals(2, run("mailertable", "frobnicate").exit());
    }

    @Test
    void aWatchingProcessLogsEachSwapWithWhatChangedAndRejectsABrokenEdit() throws Exception {
        Path t = table("tokyo.example tsmtp:[relay.tokyo.example]\nold.example esmtp:[mx.old.example]\n");
        Process p = start("mailertable", "watch");
        BlockingQueue<String> log = new LinkedBlockingQueue<>();
        Thread pump = pumpStderr(p, log);
        try {
            awaitLine(log, "loaded 2 entries");
            awaitLine(log, "watching ");

            // An editor's save by rename: one key changed, one removed, one added.
            Path tmp = home.resolve("config/.mailertable.tmp");
            Files.writeString(tmp, "tokyo.example tsmtp:[relay2.tokyo.example]\nnew.example esmtp:[mx.new.example]\n");
            Files.move(tmp, t, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            String swap = awaitLine(log, "loaded 2 entries (");
            assertTrue(swap.contains("1 added [new.example], 1 removed [old.example], 1 changed [tokyo.example]"), swap);

            Files.writeString(t, "tokyo.example tsmtp:[relay2.tokyo.example]\nnew.example esmtpp:[mx.new.example]\n");
            awaitLine(log, "edit rejected with 1 error(s); still using the version loaded at");
            awaitLine(log, t + ":2: unknown mailer 'esmtpp'");
        } finally {
            p.destroy();
            assertTrue(p.waitFor(20, TimeUnit.SECONDS), "watch did not stop on SIGTERM");
            pump.join();
        }
        assertTrue(List.of(0, 143).contains(p.exitValue()), "exit status after SIGTERM: " + p.exitValue());
    }

    @Test
    void runStartsARelayThatStopsGracefullyOnSigtermAndKeepsItsQueue() throws Exception {
        table("unreachable.example esmtp:[127.0.0.1]:9\n");
        Files.writeString(home.resolve("config/wormhole.conf"), "listen = \"127.0.0.1:0\"\n"
                + "smtpd_pregreet_wait = 0s\nmyhostname = relay.launcher.example\n");
        Process p = start("run");
        BlockingQueue<String> log = new LinkedBlockingQueue<>();
        Thread pump = pumpStderr(p, log);
        try {
            int port = RelayProcess.smtpPort(awaitLine(log, "running: SMTP on 127.0.0.1:"));
            try (SmtpTranscript c = SmtpTranscript.connect(port)) {
                c.expect("220 relay.launcher.example");
                assertTrue(c.sendMail("a@client.example", "Subject: x\r\n\r\ny\r\n", "b@unreachable.example")
                        .startsWith("250 2.0.0"));
            }
            awaitLine(log, "status=deferred");
        } finally {
            p.toHandle().destroy(); // SIGTERM, keeping our end of its stderr open to read the last lines
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "relay did not stop on SIGTERM");
            pump.join();
        }
        awaitLine(log, "relay stopped");
        try (java.util.stream.Stream<Path> deferred = Files.list(home.resolve("spool/deferred"))) {
            assertEquals(1, deferred.count(), "the deferred message stays queued for the next start");
        }
    }

    @Test
    void theSampleMailertablesReadmeCommandsPassAsWritten() throws Exception {
        Path clone = LAUNCHER.getParent().getParent().getParent();
        List<String> commands = Files.readAllLines(clone.resolve("samples/mailertable/README.md")).stream()
                .map(String::strip).filter(l -> l.startsWith("relay/bin/wormhole ")).toList();
        assertEquals(2, commands.size(), commands.toString());
        for (String command : commands) {
            // Typed in the clone, as the README says: the launcher makes the clone WORMHOLE_HOME.
            ProcessBuilder pb = new ProcessBuilder("sh", "-c", command).directory(clone.toFile());
            pb.environment().remove("WORMHOLE_HOME");
            Process p = pb.start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), command);
            assertEquals(0, p.exitValue(), command + "\n" + out + err);
            if (command.contains(" check ")) {
                assertEquals("samples/mailertable/bigbucks.mailertable: 12 entries OK\n", out, err);
            }
        }
    }

    @Test
    void theBuildOfAFreshCloneWritesPlainTextWithoutTerminalEscapes() throws Exception {
        // A clone without relay/target/wormhole.jar: the launcher builds it with the real Maven.
        // (Here a two-module reactor that builds in seconds and needs nothing downloaded.)
        Path clone = home.resolve("clone");
        Path bin = Files.createDirectories(clone.resolve("relay/bin"));
        Files.copy(LAUNCHER, bin.resolve("wormhole"));
        bin.resolve("wormhole").toFile().setExecutable(true);
        String pom = "<project xmlns=\"http://maven.apache.org/POM/4.0.0\"><modelVersion>4.0.0</modelVersion>"
                + "<groupId>t</groupId><artifactId>%s</artifactId><version>1</version><packaging>pom</packaging>%s</project>";
        Files.writeString(clone.resolve("pom.xml"), pom.formatted("clone", "<modules><module>relay</module></modules>"));
        Files.writeString(clone.resolve("relay/pom.xml"), pom.formatted("relay", ""));

        Process p = new ProcessBuilder(bin.resolve("wormhole").toString(), "--help").directory(clone.toFile()).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the launcher did not finish");

        assertTrue(err.startsWith("wormhole: building " + clone.resolve("relay/target/wormhole.jar")), err);
        String all = out + err;
        assertEquals(-1, all.indexOf('\u001b'), "an ANSI escape in: " + all.replace("\u001b", "ESC"));
    }

    /** Reads the process's log (stderr) line by line into {@code log}, until it ends. */
    private static Thread pumpStderr(Process p, BlockingQueue<String> log) {
        Thread pump = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    log.add(line);
                }
            } catch (IOException ignored) {
                // the process ended
            }
        });
        pump.start();
        return pump;
    }

    private static String awaitLine(BlockingQueue<String> log, String fragment) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        List<String> seen = new ArrayList<>();
        while (System.nanoTime() < deadline) {
            String line = log.poll(100, TimeUnit.MILLISECONDS);
            if (line != null) {
                seen.add(line);
                if (line.contains(fragment)) {
                    return line;
                }
            }
        }
        return fail("no log line with '" + fragment + "'; saw:\n" + String.join("\n", seen));
    }
}
