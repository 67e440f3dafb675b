package org.wormhole.link;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.wormhole.link.wire.Frame;
import org.wormhole.link.wire.FrameCodec;
import org.wormhole.link.wire.ProtocolViolation;

/**
 * One established link to a peer over an authenticated TLS socket: the HELLO exchange with
 * version negotiation, then a reader thread and keepalive pings inside TLS (as OpenSSH's
 * ServerAliveInterval/ServerAliveCountMax). A peer that sends nothing, not even a PONG, for
 * {@code interval * count} is declared dead and the link is closed, so a frozen peer is noticed
 * even when TCP itself would wait for hours. Mail frames go to the {@link Listener}.
 *
 * <p>Thread-safe: {@link #send} may be called from any thread.
 */
public final class LinkSession implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger("link");

    /** The protocol versions this side speaks (PROTOCOL.md). */
    public static final List<Integer> VERSIONS = List.of(1);

    /** Keepalive and flow settings. */
    public record Settings(Duration keepaliveInterval, int keepaliveCount, int window, Duration helloTimeout) {
        public static Settings defaults() {
            return new Settings(Duration.ofSeconds(10), 3, 256, Duration.ofSeconds(30));
        }
    }

    /** Hears the session's mail frames and its end. Called on the session's reader thread. */
    public interface Listener {
        void frame(LinkSession session, Frame frame);

        void down(LinkSession session, String reason);
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final Settings settings;
    private Listener listener; // set once in start(), before the reader and the keepalive start
    private final String peerSite;
    private final int version;
    private final int peerWindow;
    private final ScheduledExecutorService keepalive;
    private final ExecutorService control; // sends PING and PONG, so the tick and the reader never wait on a write
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicBoolean pinging = new AtomicBoolean(); // a PING is on its way out
    private final AtomicBoolean ponging = new AtomicBoolean(); // a PONG is on its way out
    private volatile long pongNonce; // of the latest PING received: the one a PONG answers
    private volatile long lastReceivedNanos = System.nanoTime();
    private volatile long pingSentNanos;
    private volatile long pingNonce;
    private volatile long rttNanos = -1;

    private LinkSession(Socket socket, InputStream in, OutputStream out, Settings settings,
                        String peerSite, int version, int peerWindow) {
        this.socket = socket;
        this.in = in;
        this.out = out;
        this.settings = settings;
        this.peerSite = peerSite;
        this.version = version;
        this.peerWindow = peerWindow;
        this.keepalive = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "link-keepalive-" + peerSite);
            t.setDaemon(true);
            return t;
        });
        // PING and PONG wait here for the writers of mail frames (e.g. one blocked on a peer that
        // stopped reading), never on the keepalive tick, which must still declare such a peer
        // dead, nor on the reader, which must keep reading or both sides could wait for each other.
        this.control = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "link-control-" + peerSite);
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Exchanges HELLO on a socket whose TLS handshake (with pinned keys) is done, then starts the
     * reader and the keepalive.
     *
     * @throws ProtocolViolation no common version, or the peer did not start with HELLO
     * @throws IOException       the connection failed, or no HELLO came within the timeout
     */
    public static LinkSession start(Socket tls, String localSite, Settings settings, Listener listener)
            throws IOException, ProtocolViolation {
        return start(tls, localSite, settings, session -> listener);
    }

    /**
     * As {@link #start(Socket, String, Settings, Listener)}, with a listener made for this session
     * (e.g. its {@link LinkCourier}) after the HELLO exchange and before the reader starts, so it
     * hears every frame.
     */
    public static LinkSession start(Socket tls, String localSite, Settings settings,
                                    Function<LinkSession, Listener> listenerFor) throws IOException, ProtocolViolation {
        InputStream in = new BufferedInputStream(tls.getInputStream(), 65_536);
        OutputStream out = new BufferedOutputStream(tls.getOutputStream(), 65_536);
        FrameCodec.write(out, new Frame.Hello(VERSIONS, localSite, settings.window()));
        out.flush();
        int oldTimeout = tls.getSoTimeout();
        tls.setSoTimeout((int) settings.helloTimeout().toMillis());
        Frame first;
        try {
            first = FrameCodec.read(in);
        } catch (SocketTimeoutException e) {
            throw new IOException("no HELLO from the peer within " + settings.helloTimeout().toSeconds() + " s");
        } finally {
            tls.setSoTimeout(oldTimeout);
        }
        if (!(first instanceof Frame.Hello hello)) {
            throw new ProtocolViolation("the peer's first frame is not HELLO");
        }
        int version = hello.versions().stream().filter(VERSIONS::contains).mapToInt(Integer::intValue).max().orElse(-1);
        if (version < 0) {
            goodbye(out, "no common version (we speak " + VERSIONS + ", the peer " + hello.versions() + ")");
            throw new ProtocolViolation("no common version: the peer speaks " + hello.versions() + ", we " + VERSIONS);
        }
        LinkSession s = new LinkSession(tls, in, out, settings, hello.site(), version, hello.window());
        s.listener = listenerFor.apply(s);
        s.begin();
        return s;
    }

    private void begin() {
        long period = settings.keepaliveInterval().toNanos();
        keepalive.scheduleAtFixedRate(this::keepaliveTick, period, period, TimeUnit.NANOSECONDS);
        Thread reader = new Thread(this::readLoop, "link-reader-" + peerSite);
        reader.setDaemon(true);
        reader.start();
        log.info("link to {} up: protocol version {}, peer window {}", peerSite, version, peerWindow);
    }

    private void readLoop() {
        try {
            while (!closed.get()) {
                Frame f = FrameCodec.read(in);
                lastReceivedNanos = System.nanoTime();
                if (f instanceof Frame.Ping p) {
                    pongNonce = p.nonce();
                    if (ponging.compareAndSet(false, true)) {
                        sendControl(this::pong);
                    }
                } else if (f instanceof Frame.Pong p) {
                    if (p.nonce() == pingNonce) {
                        rttNanos = System.nanoTime() - pingSentNanos;
                    }
                } else if (f instanceof Frame.Goodbye g) {
                    close("the peer said goodbye: " + g.reason(), false);
                    return;
                } else if (f instanceof Frame.Hello) {
                    throw new ProtocolViolation("a second HELLO");
                } else {
                    listener.frame(this, f);
                }
            }
        } catch (ProtocolViolation e) {
            close("protocol violation by the peer: " + e.getMessage(), true);
        } catch (EOFException e) {
            close("the peer closed the connection", false);
        } catch (IOException e) {
            close("connection failed: " + e.getMessage(), false);
        }
    }

    private void keepaliveTick() {
        long silent = System.nanoTime() - lastReceivedNanos;
        long interval = settings.keepaliveInterval().toNanos();
        if (silent >= interval * settings.keepaliveCount()) {
            close("the peer sent nothing for " + Duration.ofNanos(silent).toMillis() + " ms ("
                    + settings.keepaliveCount() + " keepalive intervals): presumed dead", true);
            return;
        }
        // A PING every interval, also while frames come in: a peer busy sending us a large message
        // hears from us that way, while its own PING waits behind its data on a thin line.
        if (pinging.compareAndSet(false, true)) {
            sendControl(this::ping);
        }
    }

    private void ping() throws IOException {
        pinging.set(false);
        pingNonce = ThreadLocalRandom.current().nextLong();
        pingSentNanos = System.nanoTime();
        send(new Frame.Ping(pingNonce));
    }

    /** Answers the latest PING (a PONG to an older one would not count for the peer's round trip). */
    private void pong() throws IOException {
        ponging.set(false);
        send(new Frame.Pong(pongNonce));
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
                    close("connection failed: " + e.getMessage(), false);
                }
            });
        } catch (RejectedExecutionException closing) {
            // the session is closed
        }
    }

    /** Sends a frame. */
    public void send(Frame f) throws IOException {
        synchronized (out) {
            FrameCodec.write(out, f);
            out.flush();
        }
    }

    public String peerSite() {
        return peerSite;
    }

    public int version() {
        return version;
    }

    /** This side's window, as sent in its HELLO: messages it accepts in flight from the peer. */
    public int window() {
        return settings.window();
    }

    /** The peer's window: messages it accepts in flight. */
    public int peerWindow() {
        return peerWindow;
    }

    /** The last measured round-trip time, or null before the first PONG. */
    public Duration rtt() {
        long r = rttNanos;
        return r < 0 ? null : Duration.ofNanos(r);
    }

    public boolean isOpen() {
        return !closed.get();
    }

    @Override
    public void close() {
        close("closed by this side", true);
    }

    /** Ends the session once: GOODBYE if {@code sayGoodbye} and possible, then the socket. */
    public void close(String reason, boolean sayGoodbye) {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        keepalive.shutdownNow();
        control.shutdownNow();
        if (sayGoodbye) {
            // Best effort, and never blocking on a peer that stopped reading.
            Thread bye = new Thread(() -> {
                try {
                    goodbye(out, reason);
                } catch (IOException ignored) {
                    // the peer is gone anyway
                }
            }, "link-goodbye");
            bye.setDaemon(true);
            bye.start();
            try {
                bye.join(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            socket.setSoTimeout(200); // TLS close waits for the peer's close_notify at most this long
            // ... and for the lock of a writer blocked on a peer that stopped reading at most 1 s
            // (SO_LINGER): then the connection is dropped, which fails that write. Without it,
            // close would wait as long as the write, forever if the peer's host hangs.
            socket.setSoLinger(true, 1);
            socket.close();
        } catch (IOException ignored) {
            // closing
        }
        log.warn("link to {} down: {}", peerSite, reason);
        listener.down(this, reason);
    }

    private static void goodbye(OutputStream out, String reason) throws IOException {
        synchronized (out) {
            FrameCodec.write(out, new Frame.Goodbye(reason.length() > 500 ? reason.substring(0, 500) : reason));
            out.flush();
        }
    }
}
