package org.wormhole.relay.smtpd;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The time limit of one DATA phase as a whole, not only of each read (Postfix 3.7's
 * {@code smtpd_per_request_deadline} with {@code smtpd_min_data_rate}): the content must arrive
 * within {@code smtpd_timeout}, extended by one second for every {@code smtpd_min_data_rate}
 * octets received. A client that trickles a byte now and then to dodge the per-read timeout
 * is cut at the deadline; a large message on a slow but honest line is not. The per-read
 * timeout ({@code smtpd_timeout} without a byte) still applies.
 *
 * <p>How: reading costs nothing per octet but a count. A {@link Watchdog} thread shortens the
 * socket's read timeout as the deadline nears (to what is left, re-checked at ever shorter
 * intervals), so that a read which waits past the deadline times out; the timeout is then
 * told apart from smtpd_timeout on the session's thread. The socket stays usable (also under
 * TLS): the client gets {@code 421 4.4.2}.
 *
 * <p>Open one per DATA on the session's thread; {@link #close} stops the watch and restores
 * the socket's read timeout.
 */
final class DataDeadline implements AutoCloseable {

    /**
     * @param timeout     smtpd_timeout: the per-read timeout, and the deadline before any content
     * @param minDataRate smtpd_min_data_rate in octets per second; 0 turns the overall deadline off
     */
    record Settings(Duration timeout, long minDataRate) {
        Settings {
            if (timeout.isNegative() || timeout.isZero() || minDataRate < 0) {
                throw new IllegalArgumentException("bad DATA deadline: " + timeout + ", " + minDataRate + " octets/s");
            }
        }
    }

    /** The deadline passed: the DATA phase took too long as a whole. */
    static final class Exceeded extends SocketTimeoutException {
        Exceeded(long octets, long millis) {
            super("deadline exceeded (" + octets + " bytes in " + millis + " ms)");
        }
    }

    /** The one thread that watches every DATA phase of a listener. Thread-safe. */
    static final class Watchdog implements AutoCloseable {
        private static final long FINEST_CHECK_MILLIS = 20;
        private static final long COARSEST_CHECK_MILLIS = 5_000;

        private final Settings settings;
        private final Clock clock;
        private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "smtpd-data-deadline");
            t.setDaemon(true);
            return t;
        });

        Watchdog(Settings settings, Clock clock) {
            this.settings = settings;
            this.clock = clock;
        }

        /** Starts the deadline of a DATA phase that reads {@code in} from {@code socket}. */
        DataDeadline open(Socket socket, InputStream in) {
            DataDeadline d = new DataDeadline(this, socket, in);
            if (settings.minDataRate() > 0) {
                d.watch();
            }
            return d;
        }

        @Override
        public void close() {
            timer.shutdownNow();
        }
    }

    private final Watchdog watchdog;
    private final Socket socket;
    private final long start;
    private final int idleMillis;
    private final Input input;
    private boolean closed;                    // guarded by this
    private ScheduledFuture<?> next;           // guarded by this

    private DataDeadline(Watchdog watchdog, Socket socket, InputStream in) {
        this.watchdog = watchdog;
        this.socket = socket;
        this.start = watchdog.clock.millis();
        this.idleMillis = (int) Math.min(Integer.MAX_VALUE, watchdog.settings.timeout().toMillis());
        this.input = new Input(in);
    }

    /** The content as it arrives, under the deadline. */
    InputStream input() {
        return input;
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (next != null) {
            next.cancel(false);
        }
        setSoTimeout(idleMillis);
    }

    /** Milliseconds left before the deadline, for {@code octets} received. */
    private long left(long now, long octets) {
        if (watchdog.settings.minDataRate() == 0) {
            return Long.MAX_VALUE;
        }
        return start + idleMillis + octets * 1000 / watchdog.settings.minDataRate() - now;
    }

    /** On the watchdog's thread: no read may now wait past the deadline; look again later. */
    private synchronized void watch() {
        if (closed) {
            return;
        }
        long left = left(watchdog.clock.millis(), input.published);
        if (left < idleMillis) {
            setSoTimeout((int) Math.max(1, left));
        }
        long check = Math.max(Watchdog.FINEST_CHECK_MILLIS, Math.min(Watchdog.COARSEST_CHECK_MILLIS, left / 2));
        try {
            next = watchdog.timer.schedule(this::watch, check, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // the listener is closing: its sessions are being closed too
        }
    }

    private void setSoTimeout(int millis) {
        try {
            socket.setSoTimeout(millis);
        } catch (SocketException e) {
            // closed: nothing to limit any more
        }
    }

    private final class Input extends InputStream {
        private final InputStream in;
        private long octets;
        volatile long published;               // octets, for the watchdog, every 256
        private long waitedWithoutOctet;       // in reads that timed out early, since the last octet
        private long octetsAtMark;

        Input(InputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            while (true) {
                try {
                    int b = in.read();
                    if (b >= 0 && (++octets & 0xFF) == 0) {
                        published = octets;
                    }
                    waitedWithoutOctet = 0;
                    return b;
                } catch (SocketTimeoutException e) {
                    waitedOut();
                }
            }
        }

        /**
         * A read timed out: past the deadline that is {@link Exceeded}; after smtpd_timeout
         * without an octet it is the ordinary timeout; otherwise the watchdog had shortened it,
         * and reading goes on.
         */
        private void waitedOut() throws SocketTimeoutException {
            long now = watchdog.clock.millis();
            if (left(now, octets) <= 0) {
                throw new Exceeded(octets, now - start);
            }
            int timeout;
            try {
                timeout = socket.getSoTimeout();
            } catch (SocketException closedSocket) {
                throw new SocketTimeoutException("socket closed");
            }
            waitedWithoutOctet += timeout;
            if (waitedWithoutOctet >= idleMillis) {
                throw new SocketTimeoutException("no data for " + idleMillis + " ms");
            }
            synchronized (DataDeadline.this) {
                long left = left(now, octets);
                setSoTimeout((int) Math.max(1, Math.min(idleMillis - waitedWithoutOctet, left)));
            }
        }

        /** In bulk, so that DataReader can scan pieces: octets are counted as they arrive. */
        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            while (true) {
                try {
                    int n = in.read(b, off, len);
                    if (n > 0) {
                        octets += n;
                        published = octets;
                        waitedWithoutOctet = 0;
                    }
                    return n;
                } catch (SocketTimeoutException e) {
                    waitedOut();
                }
            }
        }

        @Override
        public long skip(long n) throws IOException {
            long skipped = in.skip(n);
            octets += skipped;
            return skipped;
        }

        @Override
        public int available() throws IOException {
            return in.available();
        }

        // DataReader reads ahead and gives back what follows the end of data (pipelined commands):
        // mark and reset pass through, and octets given back are not counted twice.
        @Override
        public boolean markSupported() {
            return in.markSupported();
        }

        @Override
        public void mark(int readLimit) {
            in.mark(readLimit);
            octetsAtMark = octets;
        }

        @Override
        public void reset() throws IOException {
            in.reset();
            octets = octetsAtMark;
        }
    }
}
