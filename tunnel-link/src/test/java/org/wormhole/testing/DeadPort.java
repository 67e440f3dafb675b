package org.wormhole.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * A loopback port that nothing listens on, and that stays so while this is open: a socket bound
 * to port 0 and never listening, so a connection to it is refused ("Connection refused") and no
 * other socket (of this or another process, a listener or an outgoing connection) gets the port.
 * Unlike a port found free and closed again, it cannot be taken by someone else before the test
 * uses it.
 */
public final class DeadPort implements AutoCloseable {

    private final Socket held;

    private DeadPort(Socket held) {
        this.held = held;
    }

    /** Holds a new loopback port. */
    public static DeadPort hold() {
        Socket s = new Socket();
        try {
            s.setReuseAddress(false); // so that no listener binds the port with SO_REUSEADDR
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return new DeadPort(s);
        } catch (IOException e) {
            try {
                s.close();
            } catch (IOException ignored) {
                // nothing held
            }
            throw new UncheckedIOException("cannot hold a loopback port", e);
        }
    }

    public int port() {
        return held.getLocalPort();
    }

    /** The port on loopback, for a client that takes an address. */
    public InetSocketAddress address() {
        return new InetSocketAddress(held.getLocalAddress(), port());
    }

    /** Gives the port back. */
    @Override
    public void close() throws IOException {
        held.close();
    }
}
