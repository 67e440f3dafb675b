package org.wormhole.harness;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP path on loopback to a target, with the two faults a {@link org.wormhole.bench.DelayingProxy}
 * lacks: it can {@link #hang} as a peer's host does when it freezes (it neither reads nor writes,
 * so the sender's TCP window fills up and its writes block; the proxy's freeze keeps reading into
 * its queue of up to 4096 chunks, so a sender of less than hundreds of MB never blocks there), and
 * it can be {@link #limit narrow} (a bandwidth cap in each direction, as a branch's thin line), and
 * it can {@link #forgetDialers forget} its connections as a NAT box that lost its state: the
 * dialer's side is reset, the other side stays open and hears nothing more.
 */
final class LoopbackPath implements AutoCloseable {

    private static final int BUFFER = 16 * 1024;

    private final ServerSocket listener;
    private final InetSocketAddress target;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final Map<Socket, Socket> targetOf = new ConcurrentHashMap<>(); // dialer's socket -> target's
    private final Set<Socket> abandoned = ConcurrentHashMap.newKeySet(); // target sockets left open and silent
    private final AtomicLong forward = new AtomicLong();
    private volatile boolean hung;
    private volatile long bytesPerSecond; // 0: no cap

    LoopbackPath(InetSocketAddress target) throws IOException {
        this.target = target;
        this.listener = new ServerSocket();
        // Small windows, so a hang blocks the sender soon. Set before the connections exist:
        // shrinking the receive buffer of an established connection makes Linux drop segments it
        // had room for, and the sender then waits out retransmission backoff (tens of seconds).
        listener.setReceiveBufferSize(BUFFER);
        listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        daemon("loopback-path-accept", this::acceptLoop);
    }

    int port() {
        return listener.getLocalPort();
    }

    /** Octets carried from clients to the target so far. */
    long bytesForward() {
        return forward.get();
    }

    /** While true nothing is read or written in either direction; the connections stay open. */
    void hang(boolean hang) {
        this.hung = hang;
    }

    /** Caps each direction of each connection at {@code bytesPerSecond} (0: no cap). */
    void limit(long bytesPerSecond) {
        this.bytesPerSecond = bytesPerSecond;
    }

    /**
     * Resets the dialer's side of every connection; the target's side stays open, nothing more
     * reaches it and nothing is read from it (it finds out only by its own keepalive).
     */
    void forgetDialers() {
        for (Map.Entry<Socket, Socket> e : targetOf.entrySet()) {
            abandoned.add(e.getValue());
            try {
                e.getKey().setSoLinger(true, 0);
            } catch (IOException ignored) {
                // closing anyway
            }
            close(e.getKey());
        }
        targetOf.clear();
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                client.setSendBufferSize(BUFFER);
                Socket server = new Socket();
                server.setReceiveBufferSize(BUFFER);
                server.setSendBufferSize(BUFFER);
                server.connect(target, 5_000);
                open.add(client);
                open.add(server);
                targetOf.put(client, server);
                daemon("loopback-path-fwd", () -> pump(client, server, forward));
                daemon("loopback-path-back", () -> pump(server, client, new AtomicLong()));
            } catch (IOException e) {
                if (listener.isClosed()) {
                    return;
                }
            }
        }
    }

    private void pump(Socket from, Socket to, AtomicLong counter) {
        byte[] buf = new byte[BUFFER];
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            while (true) {
                while (hung && !from.isClosed()) {
                    Thread.sleep(10); // a hung path: it neither reads nor writes until released
                }
                int n = in.read(buf);
                if (n < 0) {
                    to.shutdownOutput();
                    return;
                }
                while (hung && !to.isClosed()) {
                    Thread.sleep(10); // as above
                }
                long cap = bytesPerSecond;
                if (cap > 0) {
                    Thread.sleep(n * 1000L / cap); // a narrow line's pace: the behaviour simulated, not a wait
                }
                out.write(buf, 0, n);
                counter.addAndGet(n);
            }
        } catch (IOException | InterruptedException e) {
            for (Socket s : new Socket[] {from, to}) {
                if (!abandoned.contains(s)) {
                    close(s);
                }
            }
        }
    }

    private void close(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // gone
        }
        open.remove(s);
        targetOf.remove(s);
    }

    private static void daemon(String name, Runnable r) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void close() throws IOException {
        listener.close();
        open.forEach(this::close);
    }
}
