package org.wormhole.relay.control;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.wormhole.relay.link.LinkStatus;
import org.wormhole.relay.link.RelayLinks;
import org.wormhole.relay.qmgr.QueueManager;
import org.wormhole.relay.queue.QueueId;

/**
 * The running relay's control socket ({@code SPOOL/private/control}, a Unix domain socket in a
 * mode-0700 directory, so only the relay's own user can use it): how {@code wormhole queue
 * flush|hold|release|delete} reach the queue manager (Postfix's postqueue/postsuper), and
 * {@code wormhole link status} the links. Protocol: one request line ({@code flush},
 * {@code hold ID}, {@code release ID}, {@code delete ID|ALL}, {@code link status}), one reply line,
 * {@code OK text} or {@code ERROR text}; {@code link status} adds one {@link LinkStatus} line per
 * peer after its {@code OK} line. The server closes the connection after the reply.
 */
public final class ControlServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger("control");
    private static final int MAX_LINE = 512;

    private final Path socket;
    private final QueueManager queue;
    private final RelayLinks links; // null without peers
    private ServerSocketChannel channel;
    private Thread acceptor;
    private volatile boolean closed;

    public ControlServer(Path socket, QueueManager queue) {
        this(socket, queue, null);
    }

    /** With the relay's links ({@code null} when no peers are configured). */
    public ControlServer(Path socket, QueueManager queue, RelayLinks links) {
        this.socket = socket;
        this.queue = queue;
        this.links = links;
    }

    public void start() throws IOException {
        Files.deleteIfExists(socket); // left over from a crash; the spool lock is the relay's own
        channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        channel.bind(UnixDomainSocketAddress.of(socket));
        Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
        acceptor = new Thread(this::acceptLoop, "control");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    private void acceptLoop() {
        while (!closed) {
            try (SocketChannel c = channel.accept()) {
                serve(c);
            } catch (IOException e) {
                if (!closed) {
                    log.warn("control connection failed: {}", e.toString());
                }
            }
        }
    }

    private void serve(SocketChannel c) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(c), StandardCharsets.UTF_8));
        PrintWriter out = new PrintWriter(Channels.newOutputStream(c), true, StandardCharsets.UTF_8);
        String line = in.readLine();
        if (line == null) {
            return;
        }
        if (line.length() > MAX_LINE) {
            out.println("ERROR request too long");
            return;
        }
        String[] w = line.strip().split(" +");
        try {
            out.println(execute(w));
        } catch (IllegalArgumentException e) {
            out.println("ERROR " + e.getMessage());
        }
    }

    private String execute(String[] w) throws IOException {
        String verb = w[0].toLowerCase(java.util.Locale.ROOT);
        switch (verb) {
            case "flush":
                return "OK " + queue.flush() + " message(s) scheduled for delivery now";
            case "link":
                if (w.length != 2 || !w[1].equalsIgnoreCase("status")) {
                    throw new IllegalArgumentException("link needs: status");
                }
                if (links == null) {
                    return "OK 0 peer(s): no peers are configured";
                }
                java.util.List<LinkStatus> status = links.status(queue::waiting);
                StringBuilder sb = new StringBuilder("OK " + status.size() + " peer(s)");
                status.forEach(st -> sb.append('\n').append(st.toLine()));
                return sb.toString();
            case "hold":
            case "release":
            case "delete":
                if (w.length != 2) {
                    throw new IllegalArgumentException(verb + " needs one queue id (or ALL for delete)");
                }
                if (verb.equals("delete") && w[1].equals("ALL")) {
                    int n = 0;
                    for (QueueId id : queue.all()) {
                        if (queue.delete(id)) {
                            n++;
                        }
                    }
                    return "OK " + n + " message(s) deleted";
                }
                if (!QueueId.isValid(w[1])) {
                    throw new IllegalArgumentException("'" + w[1] + "' is not a queue id");
                }
                QueueId id = new QueueId(w[1]);
                boolean done = switch (verb) {
                    case "hold" -> queue.hold(id);
                    case "release" -> queue.release(id);
                    default -> queue.delete(id);
                };
                String past = switch (verb) {
                    case "hold" -> "held";
                    case "release" -> "released";
                    default -> "deleted";
                };
                return done ? "OK " + id + ": " + past
                        : "ERROR " + id + ": no such message" + (verb.equals("release") ? " on hold" : "");
            default:
                throw new IllegalArgumentException("unknown request '" + w[0] + "'");
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            if (channel != null) {
                channel.close();
            }
            Files.deleteIfExists(socket);
        } catch (IOException ignored) {
            // stopping anyway
        }
        if (acceptor != null) {
            acceptor.interrupt();
        }
    }
}
