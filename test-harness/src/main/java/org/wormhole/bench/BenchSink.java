package org.wormhole.bench;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import org.subethamail.smtp.MessageHandler;
import org.subethamail.smtp.server.SMTPServer;

/** The bench runs' SMTP sinks: a SubEthaSMTP server on a free loopback port that hands each message's content to one handler. */
final class BenchSink {

    /** What a sink does with one message's content (read to its end before the 250). */
    @FunctionalInterface
    interface Content {
        void arrived(InputStream data) throws IOException;
    }

    private BenchSink() {
    }

    /** Starts a sink as {@code sink.example}, no Received header of its own; the caller stops it. */
    static SMTPServer start(int maxMessageSize, int maxConnections, Content content) {
        SMTPServer server = SMTPServer.port(0).bindAddress(InetAddress.getLoopbackAddress()).hostName("sink.example")
                .softwareName("sink").maxMessageSize(maxMessageSize).insertReceivedHeaders(false)
                .maxConnections(maxConnections)
                .messageHandlerFactory(ctx -> new MessageHandler() {
                    @Override
                    public void from(String from) {
                    }

                    @Override
                    public void recipient(String recipient) {
                    }

                    @Override
                    public String data(InputStream data) throws IOException {
                        content.arrived(data);
                        return null;
                    }

                    @Override
                    public void done() {
                    }
                }).build();
        server.start();
        return server;
    }
}
