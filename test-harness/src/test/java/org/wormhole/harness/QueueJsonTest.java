package org.wormhole.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.wormhole.harness.QueueCliTest.wormhole;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wormhole.relay.control.ControlClient;
import org.wormhole.relay.control.ListedMessage;
import org.wormhole.relay.queue.QueueState;
import org.wormhole.testing.Await;
import org.wormhole.testing.DeadPort;

/**
 * {@code wormhole queue list --json} and {@code queue summary} on a running relay, through its
 * control socket, and the same text once it is stopped, from the files.
 */
class QueueJsonTest {

    @TempDir
    Path home;

    private TestSite site;
    private final DeadPort downMx = DeadPort.hold();

    @AfterEach
    void stop() throws IOException {
        if (site != null) {
            site.close();
        }
        downMx.close();
    }

    private String queueOne(String from, String... to) throws Exception {
        try (SmtpTranscript c = SmtpTranscript.connect(site.port())) {
            c.expect("220");
            String r = c.sendMail(from, "Subject: q\r\n\r\nqueued\r\n", to);
            return r.substring(r.lastIndexOf(' ') + 1);
        }
    }

    @Test
    void theRunningRelayListsItsQueueAsJsonLinesAndTheStoppedOneTheSame() throws Exception {
        site = new TestSite(home, "dead.example\tesmtp:[127.0.0.1]:" + downMx.port() + "\n",
                "minimal_backoff_time = 1h\nmaximal_backoff_time = 2h\n");
        site.start();
        String conf = site.configFile().toString();
        String first = queueOne("alice@birlinghoven.example", "bob@dead.example", "carol@dead.example");
        String second = queueOne("", "postmaster@dead.example");
        Await.until("both messages deferred", () -> {
            try {
                return site.relay.spool().list(QueueState.DEFERRED).size() == 2;
            } catch (IOException e) {
                return false;
            }
        });

        // The control socket's answer: OK, one JSON line per message, oldest first, END and the count.
        List<String> lines = new java.util.ArrayList<>();
        ControlClient.Reply reply = ControlClient.send(site.relay.spool().controlSocket(), "queue list",
                ControlClient.ANSWER_TIMEOUT, lines::add).orElseThrow();
        assertEquals(new ControlClient.Reply(true, "queue listing follows"), reply);
        assertEquals(3, lines.size(), lines.toString());
        assertEquals("END 2", lines.get(2));
        ListedMessage m = ListedMessage.fromJson(lines.get(0));
        assertEquals(first, m.id().value());
        assertEquals(QueueState.DEFERRED, m.queue());
        assertEquals("alice@birlinghoven.example", m.sender());
        assertEquals(List.of("bob@dead.example", "carol@dead.example"),
                m.recipients().stream().map(ListedMessage.Recipient::address).toList());
        assertEquals("connect to 127.0.0.1[127.0.0.1]:" + downMx.port() + ": Connection refused",
                m.recipients().get(0).delayReason());
        assertEquals(1, m.recipients().get(0).attempts());
        assertEquals(second, ListedMessage.fromJson(lines.get(1)).id().value());

        QueueCliTest.Run running = wormhole("queue", "list", "--json", "--config", conf);
        assertEquals(new QueueCliTest.Run(0, lines.get(0) + "\n" + lines.get(1) + "\n", ""), running);
        QueueCliTest.Run shape = wormhole("queue", "summary", "deferred", "--config", conf);
        assertEquals(0, shape.exit(), shape.err());
        assertEquals("""
                                                         T  5 10 20 40 80 160 320 640 1280 1280+
                                                  TOTAL  3  3  0  0  0  0   0   0   0    0     0
                                           dead.example  3  3  0  0  0  0   0   0   0    0     0
                """, shape.out());

        site.close();
        site = null;
        assertEquals(running, wormhole("queue", "list", "--json", "--config", conf));
        assertEquals(shape, wormhole("queue", "summary", "deferred", "--config", conf));
    }
}
