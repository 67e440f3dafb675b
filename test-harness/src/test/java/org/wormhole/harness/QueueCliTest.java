package org.wormhole.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wormhole.cli.Wormhole;
import org.wormhole.relay.queue.QueueState;
import org.wormhole.testing.Await;

/** {@code wormhole queue ...} and {@code wormhole config check} as an admin uses them on a running relay. */
class QueueCliTest {

    @TempDir
    Path home;

    private TestSite site;

    @AfterEach
    void stop() {
        if (site != null) {
            site.close();
        }
    }

    record Run(int exit, String out, String err) {
    }

    static Run wormhole(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Wormhole.run(new PrintWriter(out), new PrintWriter(err), args);
        return new Run(code, out.toString(), err.toString());
    }

    private void awaitOneDeferred(String what) throws InterruptedException {
        Await.until(what, () -> {
            try {
                return site.relay.spool().list(QueueState.DEFERRED).size() == 1;
            } catch (Exception e) {
                return false;
            }
        });
    }

    private String queueOne(String to) throws Exception {
        try (SmtpTranscript c = SmtpTranscript.connect(site.port())) {
            c.expect("220");
            String r = c.sendMail("alice@birlinghoven.example", "Subject: q\r\n\r\nqueued\r\n", to);
            return r.substring(r.lastIndexOf(' ') + 1);
        }
    }

    @Test
    void aControlClientThatSaysNothingHoldsUpNoOtherCommand() throws Exception {
        site = new TestSite(home, "dead.example\tesmtp:[127.0.0.1]:9\n", "minimal_backoff_time = 1h\nmaximal_backoff_time = 2h\n");
        site.start();
        String conf = site.configFile().toString();
        Path control = site.relay.spool().controlSocket();
        java.util.List<java.nio.channels.SocketChannel> silent = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) { // connected, never sending a request
                java.nio.channels.SocketChannel c = java.nio.channels.SocketChannel.open(java.net.StandardProtocolFamily.UNIX);
                c.connect(java.net.UnixDomainSocketAddress.of(control));
                silent.add(c);
            }
            Run flush = wormhole("queue", "flush", "--config", conf);
            assertEquals(0, flush.exit(), flush.err());
            assertTrue(flush.out().contains("scheduled for delivery now"), flush.out());
        } finally {
            for (java.nio.channels.SocketChannel c : silent) {
                c.close();
            }
        }
    }

    @Test
    void listHoldReleaseDeleteWhileTheRelayRuns() throws Exception {
        // Port 9 (discard) is closed on loopback: every attempt fails and the mail waits.
        site = new TestSite(home, "dead.example\tesmtp:[127.0.0.1]:9\n", "minimal_backoff_time = 1h\nmaximal_backoff_time = 2h\n");
        site.start();
        String conf = site.configFile().toString();
        String id = queueOne("bob@dead.example");
        awaitOneDeferred("the message to be deferred");

        Run list = wormhole("queue", "list", "--config", conf);
        assertEquals(0, list.exit(), list.err());
        assertTrue(list.out().contains(id + "  deferred"), list.out());
        assertTrue(list.out().contains("alice@birlinghoven.example"), list.out());
        assertTrue(list.out().contains("bob@dead.example  [deferred, 1 attempt(s), next "), list.out());
        assertTrue(list.out().contains("(connect to 127.0.0.1[127.0.0.1]:9: Connection refused)"), list.out());
        assertTrue(list.out().contains("-- 1 message(s)"), list.out());

        Run hold = wormhole("queue", "hold", id, "--config", conf);
        assertEquals(new Run(0, id + ": held\n", ""), hold);
        assertEquals(1, site.relay.spool().list(QueueState.HOLD).size());
        assertTrue(wormhole("queue", "list", "--config", conf).out().contains(id + "  hold"));

        assertEquals(new Run(0, id + ": released\n", ""), wormhole("queue", "release", id, "--config", conf));
        Run flush = wormhole("queue", "flush", "--config", conf);
        assertEquals(0, flush.exit());
        assertTrue(flush.out().contains("scheduled for delivery now"), flush.out());

        Run missing = wormhole("queue", "delete", "00000000000000", "--config", conf);
        assertEquals(new Run(1, "", "00000000000000: no such message\n"), missing);
        Run bad = wormhole("queue", "hold", "not-an-id", "--config", conf);
        assertEquals(1, bad.exit());
        assertEquals("'not-an-id' is not a queue id\n", bad.err());

        awaitOneDeferred("the attempt after the flush to end");
        assertEquals(new Run(0, "1 message(s) deleted\n", ""), wormhole("queue", "delete", "ALL", "--config", conf));
        assertTrue(wormhole("queue", "list", "--config", conf).out().contains("-- 0 message(s)"));
    }

    @Test
    void withNoRelayRunningTheFilesAreChangedDirectly() throws Exception {
        site = new TestSite(home, "dead.example\tesmtp:[127.0.0.1]:9\n", "minimal_backoff_time = 1h\nmaximal_backoff_time = 2h\n");
        site.start();
        String conf = site.configFile().toString();
        String id = queueOne("bob@dead.example");
        awaitOneDeferred("the message to be deferred");
        site.close();
        site = null;

        Run flush = wormhole("queue", "flush", "--config", conf);
        assertEquals(1, flush.exit());
        assertTrue(flush.err().startsWith("no relay is running on "), flush.err());
        Run hold = wormhole("queue", "hold", id, "--config", conf);
        assertEquals(0, hold.exit(), hold.err());
        assertEquals(id + ": held (relay not running: changed the queue files directly)\n", hold.out());
        assertTrue(wormhole("queue", "list", "--config", conf).out().contains(id + "  hold"));
    }

    @Test
    void configCheckPrintsTheEffectiveConfigurationOrEveryProblem() throws Exception {
        site = new TestSite(home, "", "relay_domains = [birlinghoven.example]\n");
        Path conf = site.configFile();
        Run ok = wormhole("config", "check", conf.toString());
        assertEquals(0, ok.exit(), ok.err());
        assertTrue(ok.out().contains("relay_domains = [\"birlinghoven.example\"]"), ok.out());
        assertTrue(ok.out().contains("maximal_queue_lifetime = \"5d\""), ok.out());
        assertEquals(conf + ": OK\n", ok.err());

        java.nio.file.Files.writeString(conf, "mynetworks = [\"10.0.0.0/33\"]\nrelay_domain = []\n");
        Run bad = wormhole("config", "check", conf.toString());
        assertEquals(1, bad.exit());
        assertTrue(bad.err().contains(conf + ":2: unknown key 'relay_domain' (did you mean 'relay_domains'?)"), bad.err());
        assertTrue(bad.err().contains(conf + ":1: mynetworks: bad CIDR '10.0.0.0/33'"), bad.err());
    }
}
