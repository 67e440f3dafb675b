package org.wormhole.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.wormhole.cli.CliRun.wormhole;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wormhole.relay.control.ListedMessage;
import org.wormhole.relay.queue.QueueId;
import org.wormhole.relay.queue.QueueState;
import org.wormhole.relay.queue.QueuedMessage;
import org.wormhole.relay.queue.RecipientState;
import org.wormhole.relay.queue.Spool;

/**
 * {@code wormhole queue list --json} and {@code queue summary} on a stopped relay's spool, as a
 * script and an admin read them (the running relay's side is in the test harness, QueueCliTest).
 */
class QueueJsonCliTest {

    @TempDir
    Path home;

    private String conf;
    private Spool spool;
    private final long now = System.currentTimeMillis();

    @BeforeEach
    void spool() throws Exception {
        Path spoolDir = home.resolve("spool");
        conf = Files.writeString(home.resolve("wormhole.conf"), "queue_directory = \"" + spoolDir + "\"\n").toString();
        spool = Spool.open(spoolDir);
    }

    private QueueId queue(long ageMillis, String sender, String... recipients) throws Exception {
        try (Spool.Incoming in = spool.create(now - ageMillis, "client.example 127.0.0.1 ESMTP", sender,
                List.of(recipients), Set.of())) {
            in.content().write("Subject: s\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII));
            in.commit(1);
            return in.id();
        }
    }

    /** Moves a message to deferred/ with its first recipient tried once and failed, the second delivered. */
    private void deferFirstDeliverSecond(QueueId id, String reason) throws Exception {
        spool.move(id, QueueState.INCOMING, QueueState.DEFERRED);
        QueuedMessage m = spool.read(QueueState.DEFERRED, id);
        RecipientState first = m.recipients().get(0).deferred(now, now + 300_000, reason);
        RecipientState second = m.recipients().get(1).sent(now);
        spool.appendStatus(m, List.of(first, second), false, now);
    }

    @Test
    void eachMessageIsOneJsonLineOldestFirstWithItsPendingRecipientsOnly() throws Exception {
        QueueId old = queue(3_600_000, "jörg@bücher.example", "bob@dead.example", "carol@birlinghoven.example");
        deferFirstDeliverSecond(old, "connect to 127.0.0.1[127.0.0.1]:25: Connection \"refused\"");
        QueueId fresh = queue(0, "", "postmaster@tokyo.example");

        CliRun r = wormhole("queue", "list", "--json", "--config", conf);
        assertEquals(0, r.exit(), r.err());
        assertEquals("", r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals(2, lines.size(), r.out());
        ListedMessage first = ListedMessage.fromJson(lines.get(0));
        assertEquals(new ListedMessage(QueueState.DEFERRED, old, (now - 3_600_000) / 1000, first.size(),
                "jörg@bücher.example", List.of(new ListedMessage.Recipient("bob@dead.example",
                "connect to 127.0.0.1[127.0.0.1]:25: Connection \"refused\"", 1, now / 1000, (now + 300_000) / 1000)),
                1, "client.example 127.0.0.1 ESMTP", "", false), first);
        assertTrue(lines.get(0).startsWith("{\"queue_name\": \"deferred\", \"queue_id\": \"" + old + "\", \"arrival_time\": "),
                lines.get(0));
        assertTrue(lines.get(0).contains("\"sender\": \"j\\u00f6rg@b\\u00fccher.example\""), lines.get(0));
        ListedMessage second = ListedMessage.fromJson(lines.get(1));
        assertEquals(QueueState.INCOMING, second.queue());
        assertEquals(fresh, second.id());
        assertEquals("", second.sender());
        assertEquals(List.of(new ListedMessage.Recipient("postmaster@tokyo.example", "", 0, 0, (now) / 1000)),
                second.recipients());
    }

    @Test
    void anEmptyQueueListsNothing() {
        assertEquals(new CliRun(0, "", ""), wormhole("queue", "list", "--json", "--config", conf));
    }

    @Test
    void theSummaryCountsRecipientsByDomainAndAgeInTheQueuesAskedFor() throws Exception {
        QueueId old = queue(3_600_000, "a@tokyo.example", "bob@dead.example", "carol@birlinghoven.example");
        deferFirstDeliverSecond(old, "connection refused");
        queue(0, "a@tokyo.example", "x@Dead.example", "y@slow.example");

        CliRun incoming = wormhole("queue", "summary", "--config", conf);
        assertEquals(new CliRun(0, """
                                                         T  5 10 20 40 80 160 320 640 1280 1280+
                                                  TOTAL  2  2  0  0  0  0   0   0   0    0     0
                                           dead.example  1  1  0  0  0  0   0   0   0    0     0
                                           slow.example  1  1  0  0  0  0   0   0   0    0     0
                """, ""), incoming);

        CliRun deferred = wormhole("queue", "summary", "deferred", "--config", conf);
        assertEquals(new CliRun(0, """
                                                         T  5 10 20 40 80 160 320 640 1280 1280+
                                                  TOTAL  1  0  0  0  0  1   0   0   0    0     0
                                           dead.example  1  0  0  0  0  1   0   0   0    0     0
                """, ""), deferred);

        CliRun senders = wormhole("queue", "summary", "-s", "incoming", "deferred", "--config", conf);
        assertEquals(0, senders.exit(), senders.err());
        assertTrue(senders.out().contains(" tokyo.example  2  1  0  0  0  1   0   0   0    0     0\n"), senders.out());
    }

    @Test
    void anUnknownQueueOrBucketCountIsAUsageError() {
        CliRun r = wormhole("queue", "summary", "corrupt", "--config", conf);
        assertEquals(2, r.exit());
        assertTrue(r.err().startsWith("unknown queue 'corrupt' (known: incoming, active, deferred, hold)"), r.err());
        CliRun b = wormhole("queue", "summary", "-b", "1", "--config", conf);
        assertEquals(2, b.exit());
        assertTrue(b.err().startsWith("the bucket count must be 2 to 20"), b.err());
    }
}
