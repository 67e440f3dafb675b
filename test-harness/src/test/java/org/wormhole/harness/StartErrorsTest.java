package org.wormhole.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wormhole.harness.process.RelayProcess;
import org.wormhole.link.SiteIdentity;
import org.wormhole.relay.queue.QueueState;
import org.wormhole.relay.queue.Spool;

/**
 * Why a relay did not start, as the operator reads it: the address a listener could not bind,
 * and a spool file it may not read with its owner and the chown that fixes it.
 */
class StartErrorsTest {

    @TempDir
    Path home;

    private TestSite site;
    private ServerSocket taken;

    @AfterEach
    void stop() throws IOException {
        if (site != null) {
            site.close();
        }
        if (taken != null) {
            taken.close();
        }
    }

    private int takenPort() throws IOException {
        taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        return taken.getLocalPort();
    }

    @Test
    void aTakenSmtpPortIsNamedWithItsAddress() throws Exception {
        int port = takenPort();
        site = new TestSite(home, "", "listen = \"127.0.0.1:" + port + "\"\n");
        IOException e = assertThrows(IOException.class, site::start);
        assertEquals("listen 127.0.0.1:" + port + ": address already in use", e.getMessage());

        QueueCliTest.Run run = QueueCliTest.wormhole("run", "--config", site.configFile().toString());
        assertEquals(new QueueCliTest.Run(1, "", "relay not started: listen 127.0.0.1:" + port
                + ": address already in use\n"), run);

        taken.close();
        site.start(); // the failed starts left nothing behind: no lock, no control socket
    }

    @Test
    void aTakenLinkPortIsNamedWithItsAddress() throws Exception {
        int port = takenPort();
        Path keys = home.resolve("keys");
        SiteIdentity.generate(keys, "here", Duration.ofDays(30));
        String pin = SiteIdentity.generate(home.resolve("peer-keys"), "there", Duration.ofDays(30)).pin().toString();
        site = new TestSite(home, "", "link_listen = \"127.0.0.1:" + port + "\"\n"
                + "link_key_directory = \"" + keys + "\"\n"
                + "peers { there { address = \"127.0.0.1\", pins = [\"" + pin + "\"], dial = false } }\n");
        IOException e = assertThrows(IOException.class, site::start);
        assertEquals("link_listen 127.0.0.1:" + port + ": address already in use", e.getMessage());
    }

    @Test
    void aControlSocketPathTooLongForTheKernelIsNamed() throws Exception {
        Path deep = home.resolve("s".repeat(100)); // sun_path holds 108 bytes
        site = new TestSite(home, "", "queue_directory = \"" + deep + "\"\n");
        IOException e = assertThrows(IOException.class, site::start);
        assertEquals("control socket " + deep.resolve("private/control") + ": unix domain path too long",
                e.getMessage());
    }

    /**
     * A relay started once as root leaves root's files in the spool; the relay, run again as its
     * own user, names the file, its owner and the chown. Run as another user for real (setpriv),
     * where the kernel's permission checks apply: as root they do not.
     */
    @Test
    void aSpoolFileOwnedByRootNamesItsOwnerAndTheChown() throws Exception {
        Path jar = Path.of("../relay/target/wormhole.jar").toAbsolutePath().normalize();
        assumeTrue("root".equals(System.getProperty("user.name")) && Files.isExecutable(Path.of("/usr/bin/setpriv"))
                        && Files.isReadable(jar),
                "needs root, setpriv and the packaged jar to run the relay as 'nobody'");
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxr-xr-x"));
        site = new TestSite(home, "", "");
        Path conf = site.configFile();
        Path spoolDir = home.resolve("spool");
        Spool spool = Spool.open(spoolDir);
        String id;
        try (Spool.Incoming in = spool.create(System.currentTimeMillis(), "client.example 127.0.0.1 ESMTP",
                "alice@birlinghoven.example", List.of("bob@dead.example"), Set.of())) {
            in.content().write("Subject: left by root\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII));
            in.commit(0);
            id = in.id().value();
        }
        spool.move(new org.wormhole.relay.queue.QueueId(id), QueueState.INCOMING, QueueState.DEFERRED);
        Path rootsFile = spool.path(QueueState.DEFERRED, new org.wormhole.relay.queue.QueueId(id));
        UserPrincipal nobody = home.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
        try (Stream<Path> all = Files.walk(spoolDir)) {
            for (Path p : all.toList()) {
                if (!p.equals(rootsFile)) {
                    Files.setOwner(p, nobody);
                }
            }
        }
        Files.setPosixFilePermissions(rootsFile, PosixFilePermissions.fromString("rw-------"));

        RelayProcess relay = RelayProcess.start(home, List.of("/usr/bin/setpriv", "--reuid=nobody", "--regid=nogroup",
                "--clear-groups", RelayProcess.java(), "-Xmx96m", "-XX:TieredStopAtLevel=1", "-jar", jar.toString(),
                "run", "--config", conf.toString()));
        assertEquals(1, relay.exitCode(), relay.err());
        String last = relay.err().lines().reduce((a, b) -> b).orElse("");
        assertEquals("relay not started: permission denied: " + rootsFile + " is owned by root; run chown -R nobody "
                + spoolDir, last, relay.err());
    }
}
