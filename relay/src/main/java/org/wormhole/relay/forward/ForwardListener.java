package org.wormhole.relay.forward;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.wormhole.link.LinkSession;
import org.wormhole.relay.config.ForwardingConfig;

/**
 * One forward's listener (a {@code forwards} entry): each connection it accepts becomes a stream
 * on the link to the forward's peer, to the peer's service. While that link is down a connection
 * is closed at once (a TCP connection cannot wait for, or be resumed on, the next link); one the
 * peer refuses (no such service, its target refused) is closed as soon as the refusal arrives.
 */
final class ForwardListener implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger("forward");

    private final ForwardingConfig.Forward forward;
    private final Function<String, Optional<LinkSession>> links;
    private final Consumer<StreamSplice> spliced;
    private final ServerSocket server;
    private final Thread acceptor;

    /**
     * Binds the listener (nothing is accepted before {@link #start}).
     *
     * @param links   the link to a peer by name, while it is up
     * @param spliced told of each connection joined to its stream
     * @throws IOException the address cannot be bound
     */
    ForwardListener(ForwardingConfig.Forward forward, Function<String, Optional<LinkSession>> links,
                    Consumer<StreamSplice> spliced) throws IOException {
        this.forward = forward;
        this.links = links;
        this.spliced = spliced;
        this.server = new ServerSocket();
        server.setReuseAddress(true);
        try {
            server.bind(forward.listen(), 64);
        } catch (IOException e) {
            server.close();
            throw new IOException("forwards." + forward.name() + " listen " + forward.listen().getAddress().getHostAddress()
                    + ":" + forward.listen().getPort() + ": " + e.getMessage(), e);
        }
        this.acceptor = new Thread(this::acceptLoop, "forward-" + forward.name());
        acceptor.setDaemon(true);
    }

    void start() {
        acceptor.start();
    }

    /** The port it listens on (the one bound, for a listen port of 0). */
    int port() {
        return server.getLocalPort();
    }

    ForwardingConfig.Forward forward() {
        return forward;
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                if (!server.isClosed()) {
                    log.warn("forwards.{}: accept failed: {}", forward.name(), e.getMessage());
                }
                continue;
            }
            accepted(client);
        }
    }

    private void accepted(Socket client) {
        String from = client.getInetAddress().getHostAddress() + ":" + client.getPort();
        Optional<LinkSession> link = links.apply(forward.peer()).filter(LinkSession::isOpen);
        if (link.isEmpty()) {
            log.info("stream {} from {} via {} refused: the link to {} is down", forward.service(), from, forward.peer(),
                    forward.peer());
            closeQuietly(client);
            return;
        }
        try {
            client.setTcpNoDelay(true);
        } catch (SocketException ignored) {
            // a connection already gone: the stream's first read says so
        }
        link.get().openStream(forward.service()).whenComplete((stream, failed) -> {
            if (failed != null) {
                Throwable cause = failed instanceof java.util.concurrent.CompletionException && failed.getCause() != null
                        ? failed.getCause() : failed;
                log.warn("stream {} from {} via {} refused: {}", forward.service(), from, forward.peer(),
                        cause.getMessage() == null ? cause.toString() : cause.getMessage());
                closeQuietly(client);
                return;
            }
            StreamSplice splice = new StreamSplice(forward.service() + " from " + from + " via " + forward.peer(), client,
                    stream, s -> { });
            spliced.accept(splice);
            splice.start();
        });
    }

    @Override
    public void close() {
        closeQuietly(server);
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // closing
        }
    }
}
