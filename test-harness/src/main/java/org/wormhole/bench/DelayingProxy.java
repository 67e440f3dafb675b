package org.wormhole.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A TCP proxy on loopback that stands in for the WAN between two sites, because this machine's
 * kernel has no {@code sch_netem}: every byte is held for half the round-trip time in each
 * direction (delay only: no loss, no bandwidth cap), and a test can cut every connection
 * ({@link #cut}, a TCP reset), refuse new ones ({@link #refuseNew}) or freeze the path
 * ({@link #freeze}: connections stay open but nothing gets through, as with a peer whose host
 * hangs or a NAT box that drops state silently).
 *
 * <p>Command line: {@code DelayingProxy LISTEN_PORT TARGET_HOST TARGET_PORT RTT_MS}.
 */
public final class DelayingProxy implements AutoCloseable {

    private static final int CHUNK = 64 * 1024;
    private static final int QUEUED_CHUNKS = 4096;
    private static final byte[] EOF = new byte[0];

    private record Chunk(byte[] bytes, long dueNanos) {
    }

    private final ServerSocket listener;
    private final InetSocketAddress target;
    private final long oneWayNanos;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicLong forward = new AtomicLong();
    private final AtomicLong backward = new AtomicLong();
    private final AtomicLong connections = new AtomicLong();
    private volatile boolean frozen;
    private volatile long freezeForwardAt = Long.MAX_VALUE;
    private volatile boolean refusing;
    private volatile boolean closed;

    /**
     * Listens on a free loopback port and forwards to {@code target}, each direction delayed by
     * {@code rtt / 2}.
     */
    public DelayingProxy(InetSocketAddress target, Duration rtt) throws IOException {
        this(0, target, rtt);
    }

    public DelayingProxy(int listenPort, InetSocketAddress target, Duration rtt) throws IOException {
        this.target = target;
        this.oneWayNanos = rtt.toNanos() / 2;
        this.listener = new ServerSocket();
        listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), listenPort), 128);
        Thread t = new Thread(this::acceptLoop, "proxy-accept-" + port());
        t.setDaemon(true);
        t.start();
    }

    /** The port clients dial instead of the target's. */
    public int port() {
        return listener.getLocalPort();
    }

    /** Bytes carried from clients to the target so far. */
    public long bytesForward() {
        return forward.get();
    }

    /** Bytes carried from the target back to clients so far. */
    public long bytesBackward() {
        return backward.get();
    }

    /** Connections accepted and forwarded so far. */
    public long connections() {
        return connections.get();
    }

    /** Resets every open connection at once (both ends see a broken connection). */
    public void cut() {
        for (Socket s : open) {
            reset(s);
        }
        open.clear();
    }

    /** While true, new connections are reset as soon as they are accepted (the path is down). */
    public void refuseNew(boolean refuse) {
        this.refusing = refuse;
    }

    /** While true, connections stay open but no byte gets through in either direction. */
    public void freeze(boolean freeze) {
        this.frozen = freeze;
    }

    /**
     * Freezes the path ({@link #freeze}) by itself once {@code octets} have been carried forward:
     * a cut in the middle of a transfer, however fast it goes and however late the test's
     * thread gets to run.
     */
    public void freezeForwardAfter(long octets) {
        this.freezeForwardAt = octets;
    }

    /** True while the path is frozen, by {@link #freeze} or {@link #freezeForwardAfter}. */
    public boolean frozen() {
        return frozen;
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                return;
            }
            if (refusing) {
                reset(client);
                continue;
            }
            Socket server = new Socket();
            try {
                server.connect(target, 5_000);
                client.setTcpNoDelay(true);
                server.setTcpNoDelay(true);
            } catch (IOException e) {
                reset(client);
                reset(server);
                continue;
            }
            connections.incrementAndGet();
            open.add(client);
            open.add(server);
            AtomicInteger halfClosed = new AtomicInteger();
            Runnable closeWhenBothDone = () -> {
                if (halfClosed.incrementAndGet() == 2) { // both sides said EOF: a graceful close, no reset
                    closeGracefully(client);
                    closeGracefully(server);
                }
            };
            pipe(client, server, forward, "fwd", closeWhenBothDone);
            pipe(server, client, backward, "back", closeWhenBothDone);
        }
    }

    /** One direction: a reader that stamps each chunk with its due time, a writer that waits for it. */
    private void pipe(Socket from, Socket to, AtomicLong counter, String name, Runnable onEof) {
        BlockingQueue<Chunk> queue = new ArrayBlockingQueue<>(QUEUED_CHUNKS);
        Thread reader = new Thread(() -> {
            byte[] buf = new byte[CHUNK];
            try {
                InputStream in = from.getInputStream(); // not closed here: that would close the socket
                int n;
                while ((n = in.read(buf)) > 0) {
                    queue.put(new Chunk(Arrays.copyOf(buf, n), System.nanoTime() + oneWayNanos));
                }
                queue.put(new Chunk(EOF, System.nanoTime() + oneWayNanos));
            } catch (IOException | InterruptedException e) {
                reset(from);
                reset(to);
            }
        }, "proxy-" + name + "-in");
        Thread writer = new Thread(() -> {
            try {
                OutputStream out = to.getOutputStream();
                while (true) {
                    Chunk c = queue.take();
                    long wait;
                    while ((wait = c.dueNanos() - System.nanoTime()) > 0) {
                        LockSupport.parkNanos(wait);
                    }
                    if (counter == forward && counter.get() >= freezeForwardAt) {
                        frozen = true;
                        freezeForwardAt = Long.MAX_VALUE;
                    }
                    while (frozen && !to.isClosed()) {
                        LockSupport.parkNanos(10_000_000L);
                    }
                    if (c.bytes() == EOF) {
                        to.shutdownOutput();
                        onEof.run();
                        return;
                    }
                    out.write(c.bytes());
                    out.flush();
                    counter.addAndGet(c.bytes().length);
                }
            } catch (IOException | InterruptedException e) {
                reset(from);
                reset(to);
            }
        }, "proxy-" + name + "-out");
        reader.setDaemon(true);
        writer.setDaemon(true);
        reader.start();
        writer.start();
    }

    private void closeGracefully(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // gone
        }
        open.remove(s);
    }

    private void reset(Socket s) {
        try {
            if (!s.isClosed()) {
                s.setSoLinger(true, 0);
            }
        } catch (IOException ignored) {
            // closing anyway
        }
        try {
            s.close();
        } catch (IOException ignored) {
            // gone
        }
        open.remove(s);
    }

    @Override
    public void close() {
        closed = true;
        try {
            listener.close();
        } catch (IOException ignored) {
            // closing
        }
        cut();
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 4) {
            System.err.println("usage: DelayingProxy LISTEN_PORT TARGET_HOST TARGET_PORT RTT_MS");
            System.exit(2);
        }
        try (DelayingProxy p = new DelayingProxy(Integer.parseInt(args[0]),
                new InetSocketAddress(args[1], Integer.parseInt(args[2])), Duration.ofMillis(Long.parseLong(args[3])))) {
            System.out.println("proxy 127.0.0.1:" + p.port() + " -> " + args[1] + ":" + args[2] + ", RTT " + args[3] + " ms");
            Thread.currentThread().join();
        }
    }
}
