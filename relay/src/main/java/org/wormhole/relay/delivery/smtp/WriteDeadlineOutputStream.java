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
 * connections. A write costs no scheduled task of its own: it notes its deadline, and the
 * connection's one alarm, set for the earliest deadline noted while none was set, looks at the
 * write in progress when it rings: past its deadline, the socket is closed; still within it, the
 * alarm is set again for that deadline; no write in progress, the alarm ends (the next write sets
 * one). So a connection that sends many short commands wakes the watchdog about once per
 * timeout, not once per write. Not thread-safe: one writer at a time.
 */
final class WriteDeadlineOutputStream extends OutputStream {

    private static final ScheduledThreadPoolExecutor WATCHDOG = watchdog();

    private final OutputStream out;
    private final Socket tcpSocket;
    private volatile long timeoutMillis;
    private volatile boolean expired;
    private final Object alarmLock = new Object();
    /** The deadline (System.nanoTime) of the write in progress; guarded by alarmLock. */
    private long writeDeadline;
    private boolean writing;                  // guarded by alarmLock
    /** When the alarm set rings (System.nanoTime), if one is set; guarded by alarmLock. */
    private long alarmAt;
    private boolean alarmSet;                 // guarded by alarmLock
    private ScheduledFuture<?> alarm;         // the one set last; guarded by alarmLock

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
        arm();
        try {
            out.write(b, off, len);
        } catch (IOException e) {
            throw expired ? timedOut(e) : e;
        } finally {
            disarm();
        }
        checkNotExpired();
    }

    @Override
    public void flush() throws IOException {
        arm();
        try {
            out.flush();
        } catch (IOException e) {
            throw expired ? timedOut(e) : e;
        } finally {
            disarm();
        }
        checkNotExpired();
    }

    @Override
    public void close() throws IOException {
        out.close();
    }

    /** A write begins: notes its deadline, and sets the alarm unless one rings by then. */
    private void arm() throws IOException {
        checkNotExpired();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        synchronized (alarmLock) {
            writing = true;
            writeDeadline = deadline;
            if (!alarmSet || deadline - alarmAt < 0) {
                setAlarm(deadline);
            }
        }
    }

    private void disarm() {
        synchronized (alarmLock) {
            writing = false;
        }
    }

    /** Guarded by alarmLock. An earlier alarm still set rings too, and finds nothing due or sets itself again. */
    private void setAlarm(long at) {
        alarmSet = true;
        alarmAt = at;
        alarm = WATCHDOG.schedule(this::ring, Math.max(0, at - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    /** The connection is done with this stream (closed, or layered with TLS): its alarm is dropped. Any thread. */
    void stopWatching() {
        synchronized (alarmLock) {
            if (alarm != null && !writing) {
                alarm.cancel(false);
                alarmSet = false;
            }
        }
    }

    /** On the watchdog's thread. */
    private void ring() {
        synchronized (alarmLock) {
            if (alarmSet && System.nanoTime() - alarmAt < 0) {
                return; // an alarm set earlier than the one now set: that one follows
            }
            alarmSet = false;
            if (!writing) {
                return; // the next write sets the alarm again
            }
            if (System.nanoTime() - writeDeadline < 0) {
                setAlarm(writeDeadline);
                return;
            }
            expired = true;
        }
        try {
            tcpSocket.close();
        } catch (IOException ignored) {
            // closing is all we can do
        }
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
