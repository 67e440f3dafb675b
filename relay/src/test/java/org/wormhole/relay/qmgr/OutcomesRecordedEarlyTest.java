package org.wormhole.relay.qmgr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wormhole.mailertable.Mailertable;
import org.wormhole.relay.delivery.DeliveryResult;
import org.wormhole.relay.delivery.RecipientOutcome;
import org.wormhole.relay.queue.QueueId;
import org.wormhole.relay.queue.QueueState;
import org.wormhole.relay.queue.RecipientStatus;
import org.wormhole.relay.queue.Spool;
import org.wormhole.testing.Await;

/**
 * A recipient's outcome is in its queue file the moment the next hop has answered, not when the
 * delivery agent is done: an agent still busy tidying up (putting the connection back, QUIT) when
 * the relay crashes must not make it send the message again. The next hop here is an agent that
 * reports "250" and then holds on until the test lets it go.
 */
class OutcomesRecordedEarlyTest {

    @TempDir
    Path dir;

    private final SettableClock clock = new SettableClock(Instant.parse("2026-01-05T09:00:00Z"));
    private QueueManager queue;
    private final CountDownLatch tidyingUp = new CountDownLatch(1);
    private final CountDownLatch letGo = new CountDownLatch(1);

    @AfterEach
    void stop() {
        letGo.countDown();
        if (queue != null) {
            queue.close();
        }
    }

    @Test
    void theSentRecordIsOnDiskWhileTheAgentIsStillTidyingUp() throws Exception {
        Spool spool = Spool.open(dir.resolve("spool"));
        Mailertable table = Mailertable.parse("mailertable",
                "up.example esmtp:[127.0.0.1]:10\n".getBytes(StandardCharsets.US_ASCII));
        Agents nextHop = route -> req -> {
            DeliveryResult r = DeliveryResult.all("up.example", req.recipients().size(),
                    RecipientOutcome.sent("2.0.0", "250 2.0.0 Ok: queued as X"));
            req.outcomesKnown().known(r);
            tidyingUp.countDown();
            try {
                letGo.await(30, TimeUnit.SECONDS); // the agent's own business after the reply
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return r;
        };
        queue = new QueueManager(spool, table::lookup, nextHop,
                new DsnNotifier(spool, "relay.test.example", Duration.ofDays(5), Duration.ZERO, clock),
                new QueueManager.Settings(50, new RetryPolicy(Duration.ofHours(1), Duration.ofHours(2)),
                        Duration.ofDays(5), Duration.ZERO, 4, 4),
                clock);
        queue.start();
        QueueId id;
        try (Spool.Incoming in = spool.create(clock.millis(), "client [127.0.0.1] ESMTP", "alice@example.org",
                List.of("bob@up.example"), Set.of())) {
            in.content().write("Subject: hi\r\n\r\nhello\r\n".getBytes(StandardCharsets.US_ASCII));
            in.commit(0);
            id = in.id();
        }
        queue.enqueued(id);

        assertTrue(tidyingUp.await(30, TimeUnit.SECONDS), "the next hop answered");
        // A crash now: what a restarted relay would read.
        assertEquals(List.of(RecipientStatus.SENT), spool.read(QueueState.ACTIVE, id).recipients().stream()
                .map(r -> r.status()).toList(), "bob's 'sent' is on disk while the agent is still busy");

        letGo.countDown();
        Await.until("the message removed once the agent is done", () -> !queue.all().contains(id));
    }
}
