package org.wormhole.relay.delivery.smtp;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Gives socket writes the timeout Java lacks (SO_TIMEOUT covers reads only): a write or flush that
 * is still blocked after the deadline (a server that stopped reading) closes the TCP socket, which
 * fails the write, and is reported as a {@link SocketTimeoutException}.
 *
 * <p>The TCP socket is closed, not a TLS socket layered over it: closing a TLS socket tries to
 * send close_notify and would block behind the stuck write. One shared daemon thread watches all
 * connections; arming costs one scheduled task per write, and the buffered stream above this one
 * writes in 64 KB chunks. Not thread-safe: one writer at a time.
 */
final class WriteDeadlineOutputStream extends OutputStream {

    private static final ScheduledThreadPoolExecutor WATCHDOG = watchdog();

    private final OutputStream out;
    private final Socket tcpSocket;
    private volatile long timeoutMillis;
    private volatile boolean expired;

    WriteDeadlineOutputStream(OutputStream out, Socket tcpSocket, Duration timeout) {
        this.out = out;
        this.tcpSocket = tcpSocket;
        timeout(timeout);
    }

    /** The deadline for each following write or flush. */
    void timeout(Duration timeout) {
        this.timeoutMillis = timeout.toMillis();
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        ScheduledFuture<?> alarm = arm();
        try {
            out.write(b, off, len);
        } catch (IOException e) {
            throw expired ? timedOut(e) : e;
        } finally {
            alarm.cancel(false);
        }
        checkNotExpired();
    }

    @Override
    public void flush() throws IOException {
        ScheduledFuture<?> alarm = arm();
        try {
            out.flush();
        } catch (IOException e) {
            throw expired ? timedOut(e) : e;
        } finally {
            alarm.cancel(false);
        }
        checkNotExpired();
    }

    @Override
    public void close() throws IOException {
        out.close();
    }

    private ScheduledFuture<?> arm() throws IOException {
        checkNotExpired();
        long millis = timeoutMillis;
        return WATCHDOG.schedule(() -> {
            expired = true;
            try {
                tcpSocket.close();
            } catch (IOException ignored) {
                // closing is all we can do
            }
        }, millis, TimeUnit.MILLISECONDS);
    }

    private void checkNotExpired() throws IOException {
        if (expired) {
            throw timedOut(null);
        }
    }

    private SocketTimeoutException timedOut(IOException cause) {
        SocketTimeoutException e = new SocketTimeoutException("write timed out after " + timeoutMillis + " ms (server stopped reading)");
        if (cause != null) {
            e.initCause(cause);
        }
        return e;
    }

    private static ScheduledThreadPoolExecutor watchdog() {
        ScheduledThreadPoolExecutor ex = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "smtp-write-watchdog");
            t.setDaemon(true);
            return t;
        });
        ex.setRemoveOnCancelPolicy(true);
        return ex;
    }
}
