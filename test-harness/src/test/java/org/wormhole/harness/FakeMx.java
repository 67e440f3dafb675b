package org.wormhole.harness;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import org.subethamail.smtp.DropConnectionException;
import org.subethamail.smtp.RejectException;
import org.subethamail.smtp.server.SMTPServer;

/**
 * A remote MX for tests, on SubEthaSMTP: records each message's envelope and exact bytes, and
 * answers from a script when told to (4xx, 5xx, drop the connection after DATA).
 *
 * <p>A refused DATA ends the mail transaction, as RFC 5321 4.1.1.4 requires and Postfix does:
 * SubEthaSMTP 7.2.2 by itself keeps it open and answers the next MAIL on that connection with
 * 503, which no real MX does.
 */
final class FakeMx implements AutoCloseable {

    /** One message as the MX received it. */
    record Received(String from, List<String> recipients, byte[] content) {
        String text() {
            return new String(content, java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    /** What to answer to the next DATA. */
    enum Answer { ACCEPT, TEMPFAIL, REJECT, DROP }

    final List<Received> received = new CopyOnWriteArrayList<>();
    /** Every message content the MX read, accepted or not. */
    final java.util.concurrent.atomic.AtomicInteger dataCommands = new java.util.concurrent.atomic.AtomicInteger();
    final Queue<Answer> script = new ConcurrentLinkedQueue<>();
    final List<String> rejectRecipients = new CopyOnWriteArrayList<>();
    private final SMTPServer server;

    FakeMx() {
        this(0);
    }

    /** On a given port (0: any), e.g. to stand in for a restarted server. */
    FakeMx(int port) {
        this(port, null);
    }

    /**
     * With STARTTLS offered ({@code startTls}'s key and trust), and a client certificate required
     * in the handshake: a classic MTA that only talks to a site it knows.
     */
    FakeMx(javax.net.ssl.SSLContext startTls) {
        this(0, startTls);
    }

    private FakeMx(int port, javax.net.ssl.SSLContext startTls) {
        SMTPServer.Builder builder = SMTPServer.port(port).bindAddress(InetAddress.getLoopbackAddress()).hostName("mx.fake.example")
                .softwareName("FakeMX").maxMessageSize(200_000_000).insertReceivedHeaders(false)
                .messageHandlerFactory(ctx -> new org.subethamail.smtp.MessageHandler() {
                    private RejectException refuse(int code, String text) {
                        ((org.subethamail.smtp.server.Session) ctx).resetMailTransaction();
                        return new RejectException(code, text);
                    }

                    String from;
                    final List<String> rcpts = new CopyOnWriteArrayList<>();

                    @Override
                    public void from(String f) {
                        from = f;
                    }

                    @Override
                    public void recipient(String r) throws RejectException {
                        if (rejectRecipients.contains(r)) {
                            throw new RejectException(550, "5.1.1 <" + r + ">: Recipient address rejected: no such user");
                        }
                        rcpts.add(r);
                    }

                    @Override
                    public String data(InputStream data) throws RejectException, IOException {
                        ByteArrayOutputStream b = new ByteArrayOutputStream();
                        data.transferTo(b);
                        dataCommands.incrementAndGet();
                        Answer a = script.poll();
                        if (a == null) {
                            a = Answer.ACCEPT;
                        }
                        switch (a) {
                            case TEMPFAIL -> throw refuse(451, "4.3.0 try again later");
                            case REJECT -> throw refuse(554, "5.7.1 content rejected");
                            case DROP -> throw new DropConnectionException(421, "4.4.2 dropping after DATA");
                            default -> {
                            }
                        }
                        received.add(new Received(from, List.copyOf(rcpts), b.toByteArray()));
                        return "2.0.0 Ok: queued at fake";
                    }

                    @Override
                    public void done() {
                    }
                });
        if (startTls != null) {
            builder = builder.enableTLS().startTlsSocketFactory(startTls, true);
        }
        server = builder.build();
        server.start();
    }

    InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getPortAllocated());
    }

    int port() {
        return server.getPortAllocated();
    }

    @Override
    public void close() {
        server.stop();
    }
}
