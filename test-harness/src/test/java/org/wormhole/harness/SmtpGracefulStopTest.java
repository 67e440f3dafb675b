package org.wormhole.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wormhole.relay.queue.QueueState;
import org.wormhole.testing.Await;

/**
 * SIGTERM (Relay.close()) while clients are sending: a message whose content is on its way
 * gets its 250 and is queued once; nothing new begins; new clients are told to come back.
 */
class SmtpGracefulStopTest {

    @TempDir
    Path home;

    private FakeMx hub;
    private TestSite site;

    @AfterEach
    void stop() {
        if (site != null) {
            site.close();
        }
        if (hub != null) {
            hub.close();
        }
    }

    private SmtpTranscript client() throws IOException {
        SmtpTranscript c = SmtpTranscript.connect(site.port());
        c.expect("220 relay.test.example ESMTP");
        c.send("EHLO client.example").expect("250");
        return c;
    }

    /** The greeting a new client gets now ("" if none). */
    private String greetingOfANewClient(int port) {
        try (SmtpTranscript c = SmtpTranscript.connect(port)) {
            return c.reply();
        } catch (IOException e) {
            return "";
        }
    }

    private int queued() throws IOException {
        int n = 0;
        for (QueueState s : QueueState.values()) {
            n += site.relay.spool().list(s).size();
        }
        return n;
    }

    @Test
    void aMessageBeingSentWhenTheRelayStopsGetsIts250AndIsDeliveredOnce() throws Exception {
        hub = new FakeMx();
        site = new TestSite(home, "birlinghoven.example\tesmtp:[127.0.0.1]:" + hub.port() + "\n", "").start();
        int port = site.port();
        try (SmtpTranscript sending = client(); SmtpTranscript idle = client()) {
            sending.send("MAIL FROM:<a@birlinghoven.example>").expect("250");
            sending.send("RCPT TO:<b@birlinghoven.example>").expect("250");
            sending.send("DATA").expect("354");
            sending.raw("Subject: in flight at SIGTERM\r\n\r\nthe content is on its way\r\n");

            Thread stopping = new Thread(site.relay::close, "relay-stop");
            stopping.start();
            Await.until("new clients to be refused", () -> greetingOfANewClient(port).startsWith("421 4.3.2"));

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
                return queued() == 0;
            } catch (IOException e) {
                return false;
            }
        });
        assertEquals(1, hub.received.size(), "delivered exactly once");
    }
}
