package org.wormhole.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.wormhole.testing.Await;

/**
 * SIGTERM (Relay.close()) while clients are sending: a message whose content is on its way
 * gets its 250 and is queued once; nothing new begins; new clients are told to come back.
 */
class SmtpGracefulStopTest {

    @RegisterExtension
    final OneSite one = new OneSite();

    /** A client that has had the greeting and said EHLO. */
    private SmtpTranscript client() throws IOException {
        SmtpTranscript c = one.client();
        c.send("EHLO client.example").expect("250");
        return c;
    }

    @Test
    void aMessageBeingSentWhenTheRelayStopsGetsIts250AndIsDeliveredOnce() throws Exception {
        TestSite site = one.start("");
        int port = site.port();
        try (SmtpTranscript sending = client(); SmtpTranscript idle = client()) {
            sending.send("MAIL FROM:<a@birlinghoven.example>").expect("250");
            sending.send("RCPT TO:<b@birlinghoven.example>").expect("250");
            sending.send("DATA").expect("354");
            sending.raw("Subject: in flight at SIGTERM\r\n\r\nthe content is on its way\r\n");

            Thread stopping = new Thread(site.relay::close, "relay-stop");
            stopping.start();
            Await.until("new clients to be refused", () -> SmtpTranscript.greeting("127.0.0.1", port).startsWith("421 4.3.2"));

            idle.send("MAIL FROM:<a@birlinghoven.example>").expect("421 4.3.2 Service shutting down");
            assertTrue(idle.closedByServer());

            sending.send(".");
            sending.expect("250 2.0.0 Ok: queued as ");
            stopping.join(20_000);
            assertFalse(stopping.isAlive(), "the relay stopped");
        }
        site.start();
        Await.until("the queue to be empty", () -> {
            try {
                return one.queued() == 0;
            } catch (IOException e) {
                return false;
            }
        });
        assertEquals(1, one.hub.received.size(), "delivered exactly once");
    }
}
