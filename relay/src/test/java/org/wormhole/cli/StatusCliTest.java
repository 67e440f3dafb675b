package org.wormhole.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.wormhole.cli.CliRun.wormhole;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wormhole.relay.Relay;
import org.wormhole.relay.config.ConfigLoader;
import org.wormhole.relay.delivery.NexthopResolver;
import org.wormhole.relay.metrics.Readiness;
import org.wormhole.relay.queue.SpoolLock;

/**
 * {@code wormhole status} as a script or systemd uses it: exit 0 when the running relay is ready
 * for mail, 1 when it is not or none runs, the checks printed for the operator. It asks over the
 * control socket: no {@code metrics_listen} here.
 */
class StatusCliTest {

    @TempDir
    Path home;

    private Relay relay;

    @AfterEach
    void stop() {
        if (relay != null) {
            relay.close();
        }
    }

    private Path config(String extra) throws Exception {
        Files.writeString(home.resolve("mailertable"), "birlinghoven.example\tesmtp:[127.0.0.1]:9\n");
        return Files.writeString(home.resolve("wormhole.conf"), "myhostname = relay.test.example\n"
                + "listen = \"127.0.0.1:0\"\nsmtpd_pregreet_wait = 0s\n"
                + "queue_directory = \"" + home.resolve("spool") + "\"\n"
                + "mailertable = \"" + home.resolve("mailertable") + "\"\n" + extra);
    }

    private Path running(String extra) throws Exception {
        Path conf = config(extra);
        NexthopResolver nowhere = (n, port) -> {
            throw new NexthopResolver.ResolveFailure(false, "5.1.2", "Host or domain name not found: " + n.host());
        };
        relay = Relay.start(ConfigLoader.load(conf, home), nowhere, Clock.systemUTC());
        return conf;
    }

    @Test
    void aRunningRelayIsReadyAndSaysWhy() throws Exception {
        Path conf = running("");
        CliRun r = wormhole("status", "--config", conf.toString());
        assertEquals(0, r.exit(), r.err());
        String[] lines = r.out().split("\n");
        assertEquals("ready", lines[0]);
        assertTrue(lines[1].matches("  spool +ok +" + home.resolve("spool") + " writable, \\d+ MiB free \\(queue_minfree 15 MiB\\)"),
                lines[1]);
        assertEquals("  mailertable  ok      " + home.resolve("mailertable") + " loaded, 1 entry", lines[2]);
        assertEquals("  listeners    ok      smtp 127.0.0.1:" + relay.smtpPort() + ", control socket "
                + home.resolve("spool/private/control"), lines[3]);
        assertEquals(4, lines.length, r.out());
        assertEquals("", r.err());
    }

    @Test
    void aSpoolBelowQueueMinfreeIsNotReady() throws Exception {
        Path conf = running("queue_minfree = 1000000G\n"); // more than any disk here
        CliRun r = wormhole("status", "--config", conf.toString());
        assertEquals(1, r.exit());
        String[] lines = r.out().split("\n");
        assertEquals("not ready", lines[0]);
        assertTrue(lines[1].matches("  spool +FAILED +Insufficient system storage \\(\\d+ MiB free in .*spool, queue_minfree needs"
                + " 1024000000 MiB\\): new mail is refused \\(452 4.3.1\\)"), lines[1]);
        assertTrue(lines[2].startsWith("  mailertable  ok"), lines[2]);
    }

    @Test
    void withoutARunningRelayStatusIsNotReady() throws Exception {
        Path conf = config("");
        CliRun r = wormhole("status", "--config", conf.toString());
        assertEquals(1, r.exit());
        assertEquals("", r.out());
        assertEquals("no relay is running on " + home.resolve("spool") + "; not ready\n", r.err());
        assertEquals(new CliRun(1, "", ""), wormhole("status", "--quiet", "--config", conf.toString()));
    }

    @Test
    void aRelayThatHoldsTheSpoolButHasNoControlSocketYetIsStarting() throws Exception {
        Path conf = config("");
        try (SpoolLock held = SpoolLock.acquire(home.resolve("spool"))) { // as a relay does first at start
            CliRun r = wormhole("status", "--config", conf.toString());
            assertEquals(1, r.exit());
            assertEquals("not ready: the relay (pid " + ProcessHandle.current().pid() + ") holds " + held.root()
                    + " but does not answer on its control socket: starting or stopping\n", r.err());
        }
    }

    @Test
    void quietIsOnlyTheExitCode() throws Exception {
        Path conf = running("");
        assertEquals(new CliRun(0, "", ""), wormhole("status", "-q", "--config", conf.toString()));
    }

    @Test
    void theChecksSurviveTheControlSocketLines() {
        Readiness r = new Readiness(List.of(new Readiness.Check("spool", true, "/var/spool/wormhole writable, 9 MiB free"),
                new Readiness.Check("listeners", false, "starting: not every listener is bound yet")));
        assertEquals(r, Readiness.parse(r.toLines()));
        assertEquals("not ready: listeners: starting: not every listener is bound yet", r.summary());
    }
}
