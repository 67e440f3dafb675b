package org.wormhole.harness;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP path on loopback to a target that can hang as a peer's host does when it freezes: while
 * {@link #hang hung} it neither reads nor writes, so the sender's TCP window fills up and its
 * writes block. (The {@link org.wormhole.bench.DelayingProxy}'s freeze keeps reading into its
 * queue of up to 4096 chunks, so a sender of less than hundreds of MB never blocks there.)
 */
final class HangingPath implements AutoCloseable {

    private static final int BUFFER = 16 * 1024;

    private final ServerSocket listener;
    private final InetSocketAddress target;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicLong forward = new AtomicLong();
    private volatile boolean hung;

    HangingPath(InetSocketAddress target) throws IOException {
        this.target = target;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        daemon("hanging-path-accept", this::acceptLoop);
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

    private void acceptLoop() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                Socket server = new Socket();
                server.connect(target, 5_000);
                for (Socket s : new Socket[] {client, server}) {
                    s.setReceiveBufferSize(BUFFER); // small windows: a hang blocks the sender soon
                    s.setSendBufferSize(BUFFER);
                    open.add(s);
                }
                daemon("hanging-path-fwd", () -> pump(client, server, forward));
                daemon("hanging-path-back", () -> pump(server, client, new AtomicLong()));
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
                    Thread.sleep(10);
                }
                int n = in.read(buf);
                if (n < 0) {
                    to.shutdownOutput();
                    return;
                }
                while (hung && !to.isClosed()) {
                    Thread.sleep(10);
                }
                out.write(buf, 0, n);
                counter.addAndGet(n);
            }
        } catch (IOException | InterruptedException e) {
            close(from);
            close(to);
        }
    }

    private void close(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // gone
        }
        open.remove(s);
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
