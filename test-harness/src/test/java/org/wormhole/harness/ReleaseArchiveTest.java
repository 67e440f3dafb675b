package org.wormhole.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetupTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wormhole.harness.process.RelayProcess;
import org.wormhole.testing.Await;

/**
 * The release archive, wormhole-VERSION.tar.gz, as an admin uses it: unpacked somewhere, its
 * {@code bin/wormhole} checks a configuration and runs a relay that delivers, with the Java on
 * PATH and no Maven (a stand-in {@code mvn} first on PATH records any call).
 */
class ReleaseArchiveTest {

    @TempDir
    Path tmp;

    private GreenMail sink;

    @BeforeEach
    void startSink() {
        sink = new GreenMail(ServerSetupTest.SMTP.dynamicPort());
        sink.start();
    }

    @AfterEach
    void stopSink() {
        sink.stop();
    }

    @Test
    void theUnpackedArchiveChecksAConfigurationAndRunsARelayThatDelivers() throws Exception {
        Path archive = PackagedArtifacts.releaseArchive();
        Path unpacked = Files.createDirectories(tmp.resolve("opt"));
        CommandRun.run(tmp, "tar", "-xzf", archive, "-C", unpacked).ok();
        Path home;
        try (Stream<Path> top = Files.list(unpacked)) {
            List<Path> dirs = top.toList();
            assertEquals(1, dirs.size(), "one top directory: " + dirs);
            home = dirs.get(0);
        }
        assertEquals(archive.getFileName().toString().replace(".tar.gz", ""), home.getFileName().toString());
        Path launcher = home.resolve("bin/wormhole");
        assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(launcher)));
        for (String f : List.of("lib/wormhole.jar", "config/wormhole.conf", "config/mailertable", "README.md",
                "relay/QUEUE-FORMAT.md", "tunnel-link/PROTOCOL.md", "mailertable/README.md",
                "samples/branch-office/wormhole.service", "samples/branch-office/README.md")) {
            assertTrue(Files.isRegularFile(home.resolve(f)), f + " is in the archive");
        }

        // The admin's own files, next to the unpacked archive; the queue relative, so under it.
        Path site = Files.createDirectories(tmp.resolve("site"));
        Path table = Files.writeString(site.resolve("mailertable"),
                "sink.example esmtp:[127.0.0.1]:" + sink.getSmtp().getPort() + "\n");
        Path conf = Files.writeString(site.resolve("wormhole.conf"), "myhostname = relay.archive.example\n"
                + "listen = \"127.0.0.1:0\"\nsmtpd_pregreet_wait = 0s\n"
                + "mailertable = \"" + table + "\"\nqueue_directory = \"spool\"\n");
        Path marker = tmp.resolve("mvn-was-called");
        Path fakeBin = Files.createDirectories(tmp.resolve("fakebin"));
        Path mvn = Files.writeString(fakeBin.resolve("mvn"), "#!/bin/sh\necho \"$@\" > " + marker + "\nexit 1\n");
        mvn.toFile().setExecutable(true);
        Map<String, String> env = new HashMap<>();
        env.put("PATH", fakeBin + ":" + System.getenv("PATH"));
        env.put("WORMHOLE_HOME", null);
        env.put("WORMHOLE_CONFIG", null);
        env.put("WORMHOLE_JAVA_OPTS", String.join(" ", RelayProcess.SMALL_JVM));

        // Typed from anywhere: the launcher finds its jar and home from where it is.
        CommandRun check = CommandRun.run(tmp, env, launcher, "config", "check", conf);
        assertEquals(0, check.exit(), check.toString());
        assertEquals(conf + ": OK\n", check.err(), check.toString());
        assertTrue(check.out().contains("\nqueue_directory = \"spool\"\n"), check.toString());

        env.put("WORMHOLE_CONFIG", conf.toString()); // the file the command reads by default
        CommandRun byDefault = CommandRun.run(tmp, env, launcher, "config", "check");
        assertEquals(conf + ": OK\n", byDefault.err(), byDefault.toString());
        env.put("WORMHOLE_CONFIG", null);

        List<String> cmd = new ArrayList<>(List.of("env", "-u", "WORMHOLE_HOME", "-u", "WORMHOLE_CONFIG",
                "PATH=" + env.get("PATH"), "WORMHOLE_JAVA_OPTS=" + env.get("WORMHOLE_JAVA_OPTS")));
        cmd.addAll(List.of(launcher.toString(), "run", "--config", conf.toString()));
        try (RelayProcess relay = RelayProcess.start(tmp, cmd)) {
            relay.awaitErr("running: SMTP on 127.0.0.1:");
            int port = RelayProcess.smtpPort(relay.err());
            try (SmtpTranscript c = SmtpTranscript.connect(port)) {
                c.expect("220 relay.archive.example");
                String reply = c.sendMail("alice@archive.example", "Subject: from the archive\r\n\r\nhello\r\n",
                        "bob@sink.example");
                assertTrue(reply.startsWith("250 2.0.0"), reply);
            }
            Await.until("the message at the sink", () -> sink.getReceivedMessages().length == 1);
            relay.awaitErr("status=sent");
        }
        assertEquals("from the archive", sink.getReceivedMessages()[0].getSubject());
        assertTrue(Files.isDirectory(home.resolve("spool/private")), "the relative queue_directory is under the unpacked archive");
        assertFalse(Files.exists(marker), "the packaged launcher called mvn");
    }
}
