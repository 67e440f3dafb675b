package org.wormhole.relay.delivery;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.wormhole.relay.delivery.smtp.SmtpConnection;

/**
 * Idle SMTP connections kept for the next message to the same server (Postfix's
 * smtp_connection_cache): a burst to one destination pays for one connection set-up, not one
 * per message. Connections idle longer than the limit are closed. Thread-safe.
 *
 * <p>A connection that is not kept is ended (QUIT, its reply, close) by a background thread, never
 * by the delivery thread: its outcomes go to the queue file at once, not after another round
 * trip to a server that may be slow to answer QUIT.
 */
final class ConnectionCache implements AutoCloseable {

    private record Idle(SmtpConnection connection, long sinceNanos) {
    }

    private final long maxIdleNanos;
    private final int maxPerServer;
    private final LongSupplier nanos;
    private final Map<String, Deque<Idle>> idle = new HashMap<>();
    /** Ends retired connections: a few threads, a bounded backlog; beyond it, closed without QUIT. */
    private final ThreadPoolExecutor quitter;

    ConnectionCache(long maxIdleMillis, int maxPerServer) {
        this(maxIdleMillis, maxPerServer, System::nanoTime);
    }

    /** @param nanos the monotonic clock idle times are measured on */
    ConnectionCache(long maxIdleMillis, int maxPerServer, LongSupplier nanos) {
        this.maxIdleNanos = maxIdleMillis * 1_000_000;
        this.maxPerServer = maxPerServer;
        this.nanos = nanos;
        AtomicInteger n = new AtomicInteger();
        this.quitter = new ThreadPoolExecutor(4, 4, 10, TimeUnit.SECONDS, new LinkedBlockingQueue<>(1024), r -> {
            Thread t = new Thread(r, "smtp-quit-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        }, (task, pool) -> ((Quit) task).connection.close());
        this.quitter.allowCoreThreadTimeOut(true);
    }

    /** Ends a connection that is not kept: QUIT and close, in the background. */
    void retire(SmtpConnection c) {
        try {
            quitter.execute(new Quit(c));
        } catch (RejectedExecutionException closed) {
            c.close();
        }
    }

    private record Quit(SmtpConnection connection) implements Runnable {
        @Override
        public void run() {
            connection.quit();
        }
    }

    /** An idle, still usable connection to {@code server} ({@code host[ip]:port}), or null. */
    SmtpConnection take(String server) {
        SmtpConnection stale = null;
        synchronized (this) {
            Deque<Idle> q = idle.get(server);
            while (q != null && !q.isEmpty()) {
                Idle i = q.pollFirst();
                if (nanos.getAsLong() - i.sinceNanos() < maxIdleNanos && i.connection().reusable()) {
                    return i.connection();
                }
                stale = i.connection();
                break;
            }
        }
        if (stale != null) {
            retire(stale);
        }
        return null;
    }

    /** Keeps a connection after a clean transaction; closes it if there is no room or it is unusable. */
    void put(String server, SmtpConnection c) {
        if (c.reusable()) {
            synchronized (this) {
                Deque<Idle> q = idle.computeIfAbsent(server, k -> new ArrayDeque<>());
                if (q.size() < maxPerServer) {
                    q.addFirst(new Idle(c, nanos.getAsLong()));
                    c = null;
                }
            }
        }
        if (c != null) {
            retire(c);
        }
        expire();
    }

    /** Closes connections idle for too long. */
    void expire() {
        Deque<SmtpConnection> old = new ArrayDeque<>();
        synchronized (this) {
            for (Iterator<Deque<Idle>> it = idle.values().iterator(); it.hasNext(); ) {
                Deque<Idle> q = it.next();
                while (!q.isEmpty() && nanos.getAsLong() - q.peekLast().sinceNanos() >= maxIdleNanos) {
                    old.add(q.pollLast().connection());
                }
                if (q.isEmpty()) {
                    it.remove();
                }
            }
        }
        old.forEach(this::retire);
    }

    @Override
    public void close() {
        Deque<SmtpConnection> all = new ArrayDeque<>();
        synchronized (this) {
            idle.values().forEach(q -> q.forEach(i -> all.add(i.connection())));
            idle.clear();
        }
        all.forEach(SmtpConnection::quit);
        quitter.shutdown();
    }
}
