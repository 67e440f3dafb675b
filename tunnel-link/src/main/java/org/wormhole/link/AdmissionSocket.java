package org.wormhole.link;

import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;

/**
 * A link connection (accepted, or dialed: the same holds the other way round) that, when it is
 * closed during its TLS handshake (a refused key: the JDK sends the alert, then closes), first
 * reads what the dialer still sends for a moment (at most {@link #DRAIN_MILLIS} ms and 64 KiB).
 * Closed with the dialer's last handshake records unread, the connection would be reset, and the
 * dialer, still writing its Finished, would see a broken pipe instead of the alert that says its
 * key was refused.
 */
final class AdmissionSocket extends Socket {

    static final int DRAIN_MILLIS = 500;

    private volatile boolean handshaking = true;

    /** The handshake is done: from now on a close is a plain close. */
    void handshakeDone() {
        handshaking = false;
    }

    @Override
    public synchronized void close() throws IOException {
        if (handshaking && !isClosed() && isConnected() && getSoLinger() != 0) { // linger 0: a reset is meant
            handshaking = false;
            try {
                shutdownOutput(); // the alert, then FIN
                setSoTimeout(DRAIN_MILLIS);
                InputStream in = getInputStream();
                byte[] buf = new byte[4096];
                long deadline = System.nanoTime() + DRAIN_MILLIS * 1_000_000L;
                int total = 0;
                while (total < 65_536 && System.nanoTime() < deadline) {
                    int n = in.read(buf);
                    if (n < 0) {
                        break; // the dialer read the alert and closed
                    }
                    total += n;
                }
            } catch (SocketTimeoutException | SocketException gone) {
                // done waiting
            }
        }
        super.close();
    }

    /** The link listener: accepts into {@link AdmissionSocket}s. */
    static final class Listener extends ServerSocket {
        Listener() throws IOException {
            super();
        }

        @Override
        public Socket accept() throws IOException {
            AdmissionSocket s = new AdmissionSocket();
            implAccept(s);
            return s;
        }
    }
}
