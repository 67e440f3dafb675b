package org.wormhole.relay.control;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.wormhole.relay.metrics.Readiness;
import org.wormhole.relay.peers.LinkStatus;
import org.wormhole.relay.peers.RelayLinks;
import org.wormhole.relay.qmgr.QueueManager;
import org.wormhole.relay.queue.QueueId;
import org.wormhole.relay.reload.ReloadReport;

/**
 * The running relay's control socket ({@code SPOOL/private/control}, a Unix domain socket in a
 * mode-0700 directory, so only the relay's own user can use it): how {@code wormhole queue
 * flush|hold|release|delete} reach the queue manager (Postfix's postqueue/postsuper), and
 * {@code wormhole link status} the links, {@code wormhole reload} the relay's configuration.
 * Protocol: one request line ({@code flush}, {@code hold ID}, {@code release ID},
 * {@code delete ID|ALL}, {@code link status}, {@code queue list}, {@code reload}, {@code status}), one reply line,
 * {@code OK text} or {@code ERROR text}; {@code link status} adds one {@link LinkStatus} line per peer after its
 * {@code OK} line; {@code queue list} adds one {@link ListedMessage} JSON line per queued message, oldest
 * first, then {@code END N} (N: how many lines came before it; without it the listing was cut short);
 * {@code reload} the lines of its {@link ReloadReport} (each error, each change
 * applied, each change that needs a restart) after its {@code OK} or {@code ERROR} line (the
 * report's summary); {@code status} answers {@code OK ready} or {@code OK not ready}, then one
 * {@link Readiness} line per check. The server closes the connection after the reply. Clients are
 * served in parallel (at most 8); one that sends no request line within 10 s is hung up on, and a
 * request line is at most 512 characters.
 */
public final class ControlServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger("control");
    private static final int MAX_LINE = 512;
    private static final int MAX_CLIENTS = 8;
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

    private final Path socket;
    private final QueueManager queue;
    private final RelayLinks links; // null without peers
    private volatile Supplier<List<String>> forwarding = List::of; // 'link status' lines of the forwarded services
    private final Supplier<ReloadReport> reload; // null: reload not offered
    private final Supplier<Readiness> readiness;
    private ServerSocketChannel channel;
    private Thread acceptor;
    private volatile boolean closed;
    private final Semaphore clients = new Semaphore(MAX_CLIENTS);
    private final ScheduledExecutorService timer =
            Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "control-timeout");
                t.setDaemon(true);
                return t;
            });

    public ControlServer(Path socket, QueueManager queue) {
        this(socket, queue, null);
    }

    /** What begins a {@code link status} line about a forwarded service, after the peers' lines. */
    public static final String FORWARDING = "forwarding ";

    /** Adds the forwarded services' lines ({@code forward ...}, {@code service ...}, {@code stream ...}) to {@code link status}. */
    public void showForwarding(Supplier<List<String>> lines) {
        this.forwarding = lines;
    }

    /** With the relay's links ({@code null} when no peers are configured). */
    public ControlServer(Path socket, QueueManager queue, RelayLinks links) {
        this(socket, queue, links, null);
    }

    /** With the relay's reload ({@code reload}: null when not offered). */
    public ControlServer(Path socket, QueueManager queue, RelayLinks links, Supplier<ReloadReport> reload) {
        this(socket, queue, links, reload, () -> new Readiness(List.of()));
    }

    /**
     * With the relay's reload ({@code reload}: null when not offered) and its readiness, for
     * {@code status}.
     */
    public ControlServer(Path socket, QueueManager queue, RelayLinks links, Supplier<ReloadReport> reload,
                         Supplier<Readiness> readiness) {
        this.socket = socket;
        this.queue = queue;
        this.links = links;
        this.reload = reload;
        this.readiness = readiness;
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

    /**
     * Serves each client on its own thread, at most {@link #MAX_CLIENTS} at once, so a client that
     * connects and says nothing holds up no one; it is hung up on after {@link #REQUEST_TIMEOUT}.
     */
    private void acceptLoop() {
        while (!closed) {
            SocketChannel c;
            try {
                c = channel.accept();
            } catch (IOException e) {
                if (!closed) {
                    log.warn("control accept failed: {}", e.toString());
                }
                continue;
            }
            if (!clients.tryAcquire()) {
                refuseBusy(c);
                continue;
            }
            Thread t = new Thread(() -> {
                ScheduledFuture<?> hangUp = timer.schedule(() -> closeQuietly(c),
                        REQUEST_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                try (c) {
                    serve(c, hangUp);
                } catch (IOException e) {
                    if (!closed) {
                        log.warn("control connection failed: {}", e.toString());
                    }
                } finally {
                    hangUp.cancel(false);
                    clients.release();
                }
            }, "control-client");
            t.setDaemon(true);
            t.start();
        }
    }

    private static void refuseBusy(SocketChannel c) {
        try (c) {
            new PrintWriter(Channels.newOutputStream(c), true, StandardCharsets.UTF_8)
                    .println("ERROR busy: " + MAX_CLIENTS + " control clients already connected");
        } catch (IOException ignored) {
            // gone
        }
    }

    private static void closeQuietly(SocketChannel c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // gone
        }
    }

    private void serve(SocketChannel c, Future<?> hangUp) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(c), StandardCharsets.UTF_8));
        PrintWriter out = new PrintWriter(Channels.newOutputStream(c), true, StandardCharsets.UTF_8);
        String line = readLine(in);
        hangUp.cancel(false); // the request is in; executing it may take a while (e.g. delete ALL)
        if (line == null) {
            return;
        }
        if (line.length() > MAX_LINE) {
            out.println("ERROR request too long");
            return;
        }
        String[] w = line.strip().split(" +");
        if (w.length == 2 && w[0].equalsIgnoreCase("queue") && w[1].equalsIgnoreCase("list")) {
            listQueue(c);
            return;
        }
        try {
            out.println(execute(w));
        } catch (IllegalArgumentException e) {
            out.println("ERROR " + e.getMessage());
        }
    }

    /**
     * {@code queue list}: OK, one JSON line per queued message, END and their count; streamed,
     * never held whole. A client that goes away before the end (a script that has read enough)
     * is no failure of the relay's: nothing is logged.
     */
    private void listQueue(SocketChannel c) throws IOException {
        Writer out = new BufferedWriter(new OutputStreamWriter(Channels.newOutputStream(c), StandardCharsets.UTF_8),
                1 << 16);
        int[] lines = {0};
        try {
            out.write("OK queue listing follows\n");
            queue.forEachQueued(m -> {
                try {
                    out.write(ListedMessage.of(m).toJson());
                    out.write('\n');
                    lines[0]++;
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            out.write("END " + lines[0] + "\n");
            out.flush();
        } catch (UncheckedIOException e) {
            // a write failed: the client went away while it was listed to
        } catch (IOException e) {
            if (!isClientGone(e)) {
                throw e; // a queue file that could not be read, say
            }
        }
    }

    /** A write to a client that has closed its end. */
    private static boolean isClientGone(IOException e) {
        String m = String.valueOf(e.getMessage());
        return m.contains("Broken pipe") || m.contains("Connection reset");
    }

    /** One request line, read no further than one character past {@link #MAX_LINE}; null at EOF. */
    private static String readLine(BufferedReader in) throws IOException {
        StringBuilder sb = new StringBuilder();
        int ch;
        while ((ch = in.read()) >= 0 && ch != '\n' && sb.length() <= MAX_LINE) {
            sb.append((char) ch);
        }
        if (ch < 0 && sb.isEmpty()) {
            return null;
        }
        int end = sb.length();
        return end > 0 && sb.charAt(end - 1) == '\r' ? sb.substring(0, end - 1) : sb.toString();
    }

    private String execute(String[] w) throws IOException {
        String verb = w[0].toLowerCase(Locale.ROOT);
        switch (verb) {
            case "flush":
                return "OK " + queue.flush() + " message(s) scheduled for delivery now";
            case "status":
                Readiness r = readiness.get();
                return "OK " + (r.ready() ? "ready" : "not ready") + r.toLines().stream().map(l -> "\n" + l)
                        .collect(Collectors.joining());
            case "link":
                if (w.length != 2 || !w[1].equalsIgnoreCase("status")) {
                    throw new IllegalArgumentException("link needs: status");
                }
                if (links == null) {
                    return "OK 0 peer(s): no peers are configured";
                }
                List<LinkStatus> status = links.status(queue::waiting);
                StringBuilder sb = new StringBuilder("OK " + status.size() + " peer(s)");
                status.forEach(st -> sb.append('\n').append(st.toLine()));
                forwarding.get().forEach(l -> sb.append('\n').append(FORWARDING).append(l));
                return sb.toString();
            case "reload":
                if (w.length != 1) {
                    throw new IllegalArgumentException("reload takes no arguments");
                }
                if (reload == null) {
                    return "ERROR reload is not offered by this relay";
                }
                ReloadReport report = reload.get();
                StringBuilder reply = new StringBuilder((report.ok() ? "OK " : "ERROR ") + report.summary());
                report.lines().forEach(l -> reply.append('\n').append(l));
                return reply.toString();
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
        timer.shutdownNow();
    }
}
