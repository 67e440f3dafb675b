package org.wormhole.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wormhole.harness.process.RelayProcess;
import org.wormhole.relay.Relay;
import org.wormhole.relay.control.ControlClient;
import org.wormhole.relay.queue.SpoolLock;
import org.wormhole.relay.queue.SpoolLockedException;

/**
 * One relay per spool (spool/private/master.lock, as Postfix's): a second {@code wormhole run}
 * on a spool is refused before it touches anything, the first keeps running; offline queue
 * commands do not edit files under a relay; a relay killed with SIGKILL does not block the next.
 */
class OneRelayPerSpoolTest {

    @TempDir
    Path home;

    private final java.util.List<AutoCloseable> open = new java.util.ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    private static final Pattern RUNNING = Pattern.compile("running: SMTP on 127\\.0\\.0\\.1:(\\d+)");

    private <T extends AutoCloseable> T closing(T c) {
        open.add(0, c);
        return c;
    }

    @Test
    void aSecondRelayOnTheSameSpoolIsRefusedOnTheSamePortAndOnAnotherAndQueueCommandsDoNotEditUnderTheFirst() throws Exception {
        TestSite site = new TestSite(home, "", "");
        Path conf = site.configFile();
        Path spool = home.resolve("spool");
        RelayProcess first = closing(RelayProcess.start(home, "run", "--config", conf.toString()));
        first.awaitErr("running: SMTP on");
        Matcher m = RUNNING.matcher(first.err());
        assertTrue(m.find(), first.err());
        String port = m.group(1);
        Path samePort = Files.writeString(home.resolve("config/same-port.conf"),
                Files.readString(conf) + "listen = \"127.0.0.1:" + port + "\"\n");

        RelayProcess onSamePort = closing(RelayProcess.start(home, "run", "--config", samePort.toString()));
        RelayProcess onOtherPort = closing(RelayProcess.start(home, "run", "--config", conf.toString()));
        String refused = "relay not started: another relay (pid " + first.pid() + ") is running on " + spool;
        assertEquals(1, onSamePort.exitCode(), onSamePort.err());
        assertEquals(refused, onSamePort.err().strip());
        assertEquals(1, onOtherPort.exitCode(), onOtherPort.err());
        assertEquals(refused, onOtherPort.err().strip());

        assertTrue(first.alive());
        assertTrue(Files.exists(spool.resolve("private/control")), "the first relay's control socket is still there");
        QueueCliTest.Run flush = QueueCliTest.wormhole("queue", "flush", "--config", conf.toString());
        assertEquals(0, flush.exit(), flush.err());
        assertTrue(flush.out().contains("scheduled for delivery now"), flush.out());
        assertFalse(first.err().contains("Exception"), first.err());

        // A relay that holds the spool but does not answer (its control socket deleted by hand):
        // offline queue commands leave the files alone instead of editing them under it.
        Files.delete(spool.resolve("private/control"));
        QueueCliTest.Run delete = QueueCliTest.wormhole("queue", "delete", "ALL", "--config", conf.toString());
        assertEquals(new QueueCliTest.Run(1, "", "a relay (pid " + first.pid() + ") holds " + spool
                + " but does not answer on " + spool.resolve("private/control") + "; queue files not changed (try again"
                + " once it has started, or stop it)\n"), delete);
    }

    @Test
    void aRelayKilledWithSigkillLeavesAStaleLockFileThatDoesNotBlockTheNextStart() throws Exception {
        TestSite site = new TestSite(home, "", "");
        Path conf = site.configFile();
        RelayProcess crashed = RelayProcess.start(home, "run", "--config", conf.toString());
        crashed.awaitErr("running: SMTP on");
        crashed.kill9();
        Path lockFile = home.resolve("spool/private/master.lock");
        assertEquals(String.valueOf(crashed.pid()), Files.readString(lockFile).strip(), "the file stays, with its pid");
        assertEquals(java.util.Optional.empty(), SpoolLock.holder(home.resolve("spool")), "but no one holds the lock");
        assertEquals(new QueueCliTest.Run(0, "0 message(s) deleted (relay not running: changed the queue files directly)\n",
                ""), QueueCliTest.wormhole("queue", "delete", "ALL", "--config", conf.toString()));

        site.start();
        closing(site);
        assertEquals(String.valueOf(ProcessHandle.current().pid()), Files.readString(lockFile).strip());
    }

    @Test
    void twoRelaysInOneProcessAreRefusedTooAndTheLockIsFreeAgainAfterClose() throws Exception {
        TestSite site = new TestSite(home, "", "");
        site.start();
        closing(site);
        Path spool = home.resolve("spool");
        SpoolLockedException e = assertThrows(SpoolLockedException.class,
                () -> Relay.start(site.config(), site.resolver(), Clock.systemUTC()));
        assertEquals("another relay (pid " + ProcessHandle.current().pid() + ") is running on " + spool, e.getMessage());

        var reply = ControlClient.send(site.relay.spool().controlSocket(), "flush");
        assertTrue(reply.isPresent() && reply.get().ok(), "the first relay's control socket still answers: " + reply);
        assertEquals(java.util.Optional.of(ProcessHandle.current().pid()), SpoolLock.holder(spool));

        site.relay.close();
        site.relay = null;
        assertEquals(java.util.Optional.empty(), SpoolLock.holder(spool));
        site.start(); // released at close: the next start takes it
    }

    @Test
    void aRelayThatCannotTakeTheLockTouchesNothing() throws Exception {
        TestSite site = new TestSite(home, "", "");
        Path spool = home.resolve("spool");
        try (SpoolLock held = SpoolLock.acquire(spool)) {
            assertThrows(SpoolLockedException.class, site::start);
            try (var names = Files.list(spool)) {
                assertEquals(java.util.List.of(spool.resolve("private")), names.toList(), "no queue directories made");
            }
            try (var names = Files.list(spool.resolve("private"))) {
                assertEquals(java.util.List.of(spool.resolve("private/master.lock")), names.toList(), "no control socket");
            }
        }
    }
}
