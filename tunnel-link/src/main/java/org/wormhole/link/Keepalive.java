package org.wormhole.link;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import org.wormhole.link.wire.Frame;
import org.wormhole.link.wire.FrameCodec;

/**
 * The liveness of one link (PROTOCOL.md "Liveness"), as OpenSSH's ServerAliveInterval and
 * ServerAliveCountMax: a PING every interval, a PONG to the peer's, the round trip, and the
 * silence limit: a peer that sends nothing, not even a PONG, for {@code interval * count} is
 * declared dead and the link closed, so a frozen peer is noticed even when TCP would wait for
 * hours.
 *
 * <p>This side's PINGs are numbered in the order they are written (from a random start), so a
 * PONG tells which PINGs the peer had read when it answered; the rekey relies on that
 * ({@link #answersPingSince}).
 *
 * <p>PING and PONG are written by a thread of their own: they wait for the writers of mail frames
 * (e.g. one blocked on a peer that stopped reading), never on the keepalive tick, which must still
 * declare such a peer dead, nor on the session's reader, which must keep reading or both sides
 * could wait for each other.
 */
final class Keepalive {

    /** How the keepalive ends its session. */
    interface Closer {
        void close(String reason, boolean sayGoodbye);
    }

    private final Duration interval;
    private final int count;
    private final LongSupplier nanos; // the monotonic clock every time decision reads
    private final FrameWriter writer;
    private final Closer closer;
    private final ScheduledExecutorService timer;
    private final ExecutorService control; // writes PING and PONG
    private final AtomicBoolean pinging = new AtomicBoolean(); // a PING is on its way out
    private final AtomicBoolean ponging = new AtomicBoolean(); // a PONG is on its way out
    private volatile long pongNonce; // of the latest PING received: the one a PONG answers
    private volatile long lastReceivedNanos;
    private volatile long pingSentNanos;
    private volatile long pingNonce; // of the keepalive's latest PING: the one its round trip is timed by
    private volatile long lastTickNanos; // when the keepalive last ticked, by nanos
    private volatile long rttNanos = -1;
    // Written under the write lock: the nonce of the last PING written.
    private volatile long lastPingNonce = ThreadLocalRandom.current().nextLong();

    Keepalive(String peerSite, Duration interval, int count, LongSupplier nanos, FrameWriter writer, Closer closer) {
        this.interval = interval;
        this.count = count;
        this.nanos = nanos;
        this.writer = writer;
        this.closer = closer;
        this.lastReceivedNanos = nanos.getAsLong();
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "link-keepalive-" + peerSite));
        this.control = Executors.newSingleThreadExecutor(r -> daemon(r, "link-control-" + peerSite));
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    void start() {
        long period = interval.toNanos();
        lastTickNanos = nanos.getAsLong();
        timer.scheduleAtFixedRate(this::tick, period, period, TimeUnit.NANOSECONDS);
    }

    /** Timer checks still queued never run: cancelled, so a checkTimers() waiting for one returns. */
    void stop() {
        timer.shutdownNow().forEach(r -> ((Future<?>) r).cancel(false));
        control.shutdownNow();
    }

    /** The session's reader read a frame. */
    void heard() {
        lastReceivedNanos = nanos.getAsLong();
    }

    /** The peer's PING: answered with a PONG to the latest one read by the time the PONG goes out. */
    void ping(Frame.Ping p) {
        pongNonce = p.nonce();
        if (ponging.compareAndSet(false, true)) {
            sendControl(this::pong);
        }
    }

    /** The peer's PONG: the round trip, when it answers the keepalive's latest PING. */
    void pong(Frame.Pong p) {
        if (p.nonce() == pingNonce) {
            rttNanos = nanos.getAsLong() - pingSentNanos;
        }
    }

    /** The last measured round-trip time, or null before the first PONG. */
    Duration rtt() {
        long r = rttNanos;
        return r < 0 ? null : Duration.ofNanos(r);
    }

    /** Every keepalive interval, on the timer thread: a silent peer declared dead, else a PING. */
    private void tick() {
        lastTickNanos = nanos.getAsLong();
        if (presumedDead()) {
            return;
        }
        // The limit falls between two ticks (it counts from the peer's last frame, not from a
        // tick): check again at that very moment, so a dead peer is noticed after
        // keepalive_count intervals, not up to one interval later.
        long untilLimit = silenceLimitNanos() - (nanos.getAsLong() - lastReceivedNanos);
        if (untilLimit < interval.toNanos()) {
            try {
                timer.schedule(this::presumedDead, Math.max(0, untilLimit), TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException closing) {
                return; // closed meanwhile
            }
        }
        // A PING every interval, also while frames come in: a peer busy sending us a large message
        // hears from us that way, while its own PING waits behind its data on a thin line.
        if (pinging.compareAndSet(false, true)) {
            sendControl(this::sendPing);
        }
    }

    /**
     * Runs the time check now, not only when it is next due, and returns once it has run: for a
     * time source that is not {@link System#nanoTime} (a test's, moved by hand), whose due moments
     * the timer thread cannot sleep until.
     */
    void checkTimers() throws InterruptedException {
        try {
            timer.submit(() -> {
                if (presumedDead()) {
                    return;
                }
                if (nanos.getAsLong() - lastTickNanos >= interval.toNanos()) {
                    tick(); // a tick is due by the clock: as the timer's own
                }
            }).get();
        } catch (RejectedExecutionException | CancellationException closed) {
            // nothing left to check
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    private long silenceLimitNanos() {
        return interval.toNanos() * count;
    }

    /** Closes the link if the peer has been silent for keepalive_count intervals; true if it did. */
    private boolean presumedDead() {
        long silent = nanos.getAsLong() - lastReceivedNanos;
        if (silent < silenceLimitNanos() || timer.isShutdown()) {
            return false;
        }
        closer.close("the peer sent nothing for " + Duration.ofNanos(silent).toMillis() + " ms ("
                + count + " keepalive intervals): presumed dead", true);
        return true;
    }

    private void sendPing() throws IOException {
        pinging.set(false);
        long sent = nanos.getAsLong(); // as before: the round trip includes the wait for the write lock
        writer.locked(out -> { // the nonce in the order the PINGs go out
            pingNonce = nextPingNonce();
            pingSentNanos = sent;
            FrameCodec.write(out, new Frame.Ping(pingNonce));
        });
    }

    /** Under the write lock, for the PING about to be written: one past the last PING's nonce. */
    long nextPingNonce() {
        long n = lastPingNonce + 1;
        lastPingNonce = n;
        return n;
    }

    /**
     * Whether a PONG's nonce answers the PING with nonce {@code first} or one sent after it. A peer
     * answers only the latest PING it has read when several came before it got to answer, e.g. the
     * PING behind a KeyUpdate and the keepalive PING right after it: the PONG to the later one
     * shows just as well that the peer read the earlier one.
     */
    boolean answersPingSince(long nonce, long first) {
        return Long.compareUnsigned(nonce - first, lastPingNonce - first) <= 0;
    }

    /** Answers the latest PING (a PONG to an older one would not count for the peer's round trip). */
    private void pong() throws IOException {
        ponging.set(false);
        writer.write(new Frame.Pong(pongNonce));
    }

    private interface ControlFrame {
        void send() throws IOException;
    }

    private void sendControl(ControlFrame frame) {
        try {
            control.execute(() -> {
                try {
                    frame.send();
                } catch (IOException e) {
                    closer.close(ConnectionLoss.describe(e), false);
                }
            });
        } catch (RejectedExecutionException closing) {
            // the session is closed
        }
    }
}
