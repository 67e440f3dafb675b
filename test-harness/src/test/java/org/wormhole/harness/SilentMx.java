package org.wormhole.harness;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A remote MX that accepts the TCP connection and then never says a word: a delivery to it
 * hangs until the client's own timeouts. Closing it drops every connection it holds.
 */
final class SilentMx implements AutoCloseable {

    private final ServerSocket listener;
    private final List<Socket> held = new CopyOnWriteArrayList<>();
    private final Thread acceptor;

    SilentMx() throws IOException {
        listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        acceptor = new Thread(() -> {
            while (!listener.isClosed()) {
                try {
                    held.add(listener.accept());
                } catch (IOException closed) {
                    return;
                }
            }
        }, "silent-mx");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return listener.getLocalPort();
    }

    /** Connections accepted so far (and held open, silent). */
    int connections() {
        return held.size();
    }

    @Override
    public void close() throws IOException {
        listener.close();
        for (Socket s : held) {
            s.close();
        }
    }
}
