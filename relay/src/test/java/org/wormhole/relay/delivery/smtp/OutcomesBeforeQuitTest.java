package org.wormhole.relay.delivery.smtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.wormhole.relay.delivery.smtp.TestMessages.plainOptions;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wormhole.mailertable.Mailer;
import org.wormhole.mailertable.Nexthop;
import org.wormhole.mailertable.Route;
import org.wormhole.relay.delivery.DeliveryRequest;
import org.wormhole.relay.delivery.DeliveryResult;
import org.wormhole.relay.delivery.NexthopResolver;
import org.wormhole.relay.delivery.RecipientOutcome;
import org.wormhole.relay.delivery.SmtpDeliveryAgent;
import org.wormhole.relay.queue.QueueState;
import org.wormhole.relay.queue.QueuedMessage;
import org.wormhole.relay.queue.Spool;
import org.wormhole.testing.Await;

/**
 * The SMTP agent reports a transaction's outcomes as soon as the server's replies are in: the
 * queue manager writes them to disk at once. Ending the connection (QUIT and its reply) is
 * done afterwards, so a server slow to answer QUIT never widens the window between its 250 and
 * the "sent" on disk, where a crash would send the message again.
 */
class OutcomesBeforeQuitTest {

    @TempDir
    Path dir;

    @Test
    void theOutcomesOfATransactionDoNotWaitForTheServersAnswerToQuit() throws Exception {
        try (FakeSmtpServer server = FakeSmtpServer.script()
                .on("RCPT TO:<nobody@", "550 5.1.1 <nobody@example.net>: Recipient address rejected: User unknown")
                .stallOn("QUIT").start()) {
            Spool spool = Spool.open(dir);
            QueuedMessage m;
            try (Spool.Incoming in = spool.create(System.currentTimeMillis(), "c", "a@example.org",
                    List.of("b@example.net", "nobody@example.net"), Set.of())) {
                in.content().write(TestMessages.simple("quit later"));
                in.commit(0);
                m = spool.read(QueueState.INCOMING, in.id());
            }
            NexthopResolver resolver = (n, port) -> List.of(new NexthopResolver.Target("mx.example.net", server.address()));
            // Long timeouts: a QUIT answered never would hold a waiting agent for 10 minutes.
            SmtpDeliveryAgent agent = new SmtpDeliveryAgent(spool, resolver,
                    plainOptions().withTimeouts(Duration.ofSeconds(5), Duration.ofMinutes(10), Duration.ofMinutes(10)), 25);
            Route route = new Route.Transport(Mailer.ESMTP, new Nexthop("example.net", Nexthop.DEFAULT_PORT, true));
            ExecutorService delivery = Executors.newSingleThreadExecutor();
            try {
                // One recipient refused: the connection is not kept for reuse but ended with QUIT.
                Future<DeliveryResult> result = delivery.submit(() -> agent.deliver(
                        new DeliveryRequest(m, route, m.recipients(), List.of("b@example.net", "nobody@example.net"))));

                Await.until(() -> "the outcomes, which must not wait for the server to answer QUIT: " + server.transcript(), result::isDone);
                List<RecipientOutcome> outcomes = result.get().outcomes();
                assertEquals(RecipientOutcome.Status.SENT, outcomes.get(0).status(), outcomes.toString());
                assertEquals(RecipientOutcome.Status.BOUNCED, outcomes.get(1).status(), outcomes.toString());
                // the QUIT goes out all the same, in the background
                Await.until(() -> "the QUIT: " + server.transcript(), () -> server.commands().contains("QUIT"));
                assertTrue(server.transcript().contains("-- stalling"), server.transcript().toString());
            } finally {
                delivery.shutdownNow();
                agent.close();
            }
        }
    }
}
