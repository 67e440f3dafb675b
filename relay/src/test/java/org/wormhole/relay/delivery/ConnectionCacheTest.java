package org.wormhole.relay.delivery;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.subethamail.smtp.helper.SimpleMessageListener;
import org.subethamail.smtp.server.SMTPServer;
import org.wormhole.relay.delivery.smtp.SmtpClientOptions;
import org.wormhole.relay.delivery.smtp.SmtpConnection;

/**
 * Idle connections are reused while young and ended once they have been idle for the limit (as
 * Postfix's smtp_connection_cache_time_limit), measured on an injected clock: five seconds pass in
 * no time. The server is a real SubEthaSMTP on loopback.
 */
class ConnectionCacheTest {

    private static final long SECOND = 1_000_000_000L;

    private final AtomicLong nanos = new AtomicLong(1_000 * SECOND);
    private SMTPServer server;
    private ConnectionCache cache;

    @BeforeEach
    void start() {
        server = SMTPServer.port(0).bindAddress(InetAddress.getLoopbackAddress()).hostName("mx.test.example")
                .simpleMessageListener(new SimpleMessageListener() {
                    @Override
                    public boolean accept(String from, String recipient) {
                        return true;
                    }

                    @Override
                    public void deliver(String from, String recipient, InputStream data) {
                        // nothing is sent in these tests
                    }
                }).build();
        server.start();
        cache = new ConnectionCache(5_000, 4, nanos::get);
    }

    @AfterEach
    void stop() {
        cache.close();
        server.stop();
    }

    private SmtpConnection connect() throws Exception {
        return SmtpConnection.open("mx.test.example", new InetSocketAddress("127.0.0.1", server.getPortAllocated()),
                SmtpClientOptions.defaults("relay.test.example"));
    }

    @Test
    void aConnectionIdleLessThanTheLimitIsHandedOutAgain() throws Exception {
        SmtpConnection c = connect();
        cache.put("mx", c);
        nanos.addAndGet(4 * SECOND);
        assertSame(c, cache.take("mx"));
    }

    @Test
    void aConnectionIdleForTheLimitIsNotHandedOutAgain() throws Exception {
        cache.put("mx", connect());
        nanos.addAndGet(5 * SECOND);
        assertNull(cache.take("mx"), "idle for 5 s: ended, a fresh connection is opened instead");
    }
}
