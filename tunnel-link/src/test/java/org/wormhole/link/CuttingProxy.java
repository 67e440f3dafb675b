package org.wormhole.link;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

/**
 * A TCP relay on loopback between a dialer and a listener, as a NAT box or a firewall is: each
 * connection accepted is carried to the target byte for byte, and the test may cut any one of
 * them with a reset ({@link #cut}), as a box that forgot it would, or hold back what one carries
 * towards the dialer ({@link #holdBack}), as a path that has stalled.
 */
final class CuttingProxy implements AutoCloseable {

    private final ServerSocket server;
    private final int target;
    private final List<Socket[]> connections = new CopyOnWriteArrayList<>(); // {from the dialer, to the target}
    private final Set<Integer> heldBack = ConcurrentHashMap.newKeySet();

    CuttingProxy(int targetPort) throws IOException {
        this.target = targetPort;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::acceptLoop, "cutting-proxy");
        t.setDaemon(true);
        t.start();
    }

    int port() {
        return server.getLocalPort();
    }

    /** Connections carried so far, in the order they came. */
    int connections() {
        return connections.size();
    }

    /** Resets connection {@code k} (0: the first that came) on both sides. */
    void cut(int k) throws IOException {
        for (Socket s : connections.get(k)) {
            try {
                s.setSoLinger(true, 0);
            } catch (SocketException closed) {
                // the pump closed it already, having seen the other one go: closed either way
            }
            s.close();
        }
    }

    /** From now on, what connection {@code k} carries towards the dialer is held back (never delivered). */
    void holdBack(int k) {
        heldBack.add(k);
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket from = server.accept();
                Socket to = new Socket(InetAddress.getLoopbackAddress(), target);
                int k = connections.size();
                connections.add(new Socket[] {from, to});
                pump(from, to, () -> false);
                pump(to, from, () -> heldBack.contains(k));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private static void pump(Socket in, Socket out, BooleanSupplier held) {
        Thread t = new Thread(() -> {
            try (InputStream i = in.getInputStream(); OutputStream o = out.getOutputStream()) {
                byte[] buf = new byte[16384];
                for (int n; (n = i.read(buf)) >= 0; ) {
                    if (!held.getAsBoolean()) {
                        o.write(buf, 0, n);
                    }
                }
            } catch (IOException cut) {
                // one side went away: so does the other
            } finally {
                try {
                    in.close();
                    out.close();
                } catch (IOException ignored) {
                    // closing
                }
            }
        }, "cutting-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket[] pair : connections) {
            pair[0].close();
            pair[1].close();
        }
    }
}
