package org.wormhole.relay.smtpd;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;

/**
 * An accepted client connection that tells its session, once, when the client is gone: the
 * client closed (end of stream) or reset the connection while we were reading from it. The
 * session then logs one line ({@code lost connection after DATA from host[addr]}, as Postfix
 * does) instead of SubEthaSMTP's stack trace for the same event. A read timeout is not a loss
 * (the session answers 421 itself), and neither is a connection we closed ourselves.
 */
final class ClientSocket extends Socket {

    private volatile Runnable onLost = () -> { };
    private InputStream in;

    /** Unconnected: {@link ServerSocket#implAccept} connects it. */
    ClientSocket() {
    }

    /** What to run when the client is gone; called at most once, on the thread that read. */
    void onLost(Runnable action) {
        this.onLost = action;
    }

    @Override
    public synchronized InputStream getInputStream() throws IOException {
        if (in == null) {
            in = new LossReportingInput(super.getInputStream());
        }
        return in;
    }

    private final class LossReportingInput extends FilterInputStream {
        private boolean reported;

        LossReportingInput(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            try {
                int b = super.read();
                if (b < 0) {
                    lost();
                }
                return b;
            } catch (SocketTimeoutException e) {
                throw e;
            } catch (IOException e) {
                lost();
                throw e;
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                int n = super.read(b, off, len);
                if (n < 0) {
                    lost();
                }
                return n;
            } catch (SocketTimeoutException e) {
                throw e;
            } catch (IOException e) {
                lost();
                throw e;
            }
        }

        private void lost() {
            if (!reported && !isClosed()) {
                reported = true;
                onLost.run();
            }
        }
    }
}
