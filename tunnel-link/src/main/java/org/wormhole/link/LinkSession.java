package org.wormhole.link;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.LongSupplier;
import javax.net.ssl.SSLSocket;
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
 * <p>A long-lived link is rekeyed with a TLS 1.3 KeyUpdate (RFC 8446 4.6.3, asking the peer to
 * update its keys too) after {@link Settings#rekeyInterval()} or {@link Settings#rekeyBytes()}
 * octets read and written, whichever comes first (PROTOCOL.md "Rekeying"). Only the side that
 * dialed (the TLS client) starts KeyUpdates, one at a time: the JDK's TLS derives the next key
 * from the current one without a lock shared by its reading and writing threads, so a KeyUpdate
 * sent while the reader answers the peer's (both sides rekeying at once) or while it takes in the
 * answer to the previous one could advance a key twice, and the link would fail. So the KeyUpdate
 * is sent under the write lock, never from the reader thread, and followed by a PING whose PONG,
 * or the PONG to any PING sent after it (which the peer sends after its answering KeyUpdate),
 * ends the rekey.
 *
 * <p>Thread-safe: {@link #send} may be called from any thread.
 *
 * <p>Longer than our classes usually are, on purpose for now: the reader, the writes under one
 * lock, the keepalive and the rekey share that lock, the PING numbering and the liveness clock,
 * and the rekey rule above depends on their order. Splitting them (a keepalive and a rekeying
 * part) is planned with the channels of the link, when the session becomes a transport.
 */
public final class LinkSession implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger("link");

    /** The protocol versions this side speaks (PROTOCOL.md). */
    public static final List<Integer> VERSIONS = List.of(1);

    /**
     * Keepalive, flow and rekey settings.
     *
     * @param rekeyInterval rekey after the keys are this old; zero: never by age
     * @param rekeyBytes    rekey after this many octets read and written with the same keys; 0: never by volume
     */
    public record Settings(Duration keepaliveInterval, int keepaliveCount, int window, Duration helloTimeout,
                           Duration rekeyInterval, long rekeyBytes) {
        /** Without rekeying (but the JDK's own KeyUpdate at its key limits). */
        public Settings(Duration keepaliveInterval, int keepaliveCount, int window, Duration helloTimeout) {
            this(keepaliveInterval, keepaliveCount, window, helloTimeout, Duration.ZERO, 0);
        }

        public static Settings defaults() {
            return new Settings(Duration.ofSeconds(10), 3, 256, Duration.ofSeconds(30), Duration.ofHours(1),
                    1L << 30);
        }

        /** The same with other rekey limits. */
        public Settings withRekey(Duration interval, long bytes) {
            return new Settings(keepaliveInterval, keepaliveCount, window, helloTimeout, interval, bytes);
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
    private volatile String label; // how log lines name the peer: its configured name once known
    private final int version;
    private final int peerWindow;
    private final ScheduledExecutorService keepalive;
    private final ExecutorService control; // sends PING and PONG, so the tick and the reader never wait on a write
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicBoolean pinging = new AtomicBoolean(); // a PING is on its way out
    private final AtomicBoolean ponging = new AtomicBoolean(); // a PONG is on its way out
    private volatile long pongNonce; // of the latest PING received: the one a PONG answers
    private final LongSupplier nanos; // the monotonic clock every time decision reads
    private volatile long lastReceivedNanos;
    private volatile long pingSentNanos;
    private volatile long pingNonce;
    private volatile long lastTickNanos; // when the keepalive last ticked, by nanos
    private volatile long rttNanos = -1;
    private final Instant upSince = Instant.now();
    private final AtomicLong bytesRead;    // TLS plaintext octets, frames and all
    private final AtomicLong bytesWritten;
    private volatile Thread reader;
    // Rekey state, guarded by out (the write lock).
    private long rekeyedAtNanos;
    private long bytesAtRekey;
    private volatile int rekeys;
    private volatile Instant lastRekey;
    private volatile long rekeyNonce;
    private volatile boolean rekeyUnanswered; // a KeyUpdate went out, no PONG to its PING or a later one has come back
    // This side's PINGs are numbered in the order they are written (from a random start), so a
    // PONG tells which PINGs the peer had read when it answered. Written under the write lock.
    private volatile long lastPingNonce = ThreadLocalRandom.current().nextLong();

    private LinkSession(Socket socket, InputStream in, OutputStream out, Settings settings,
                        String peerSite, int version, int peerWindow, AtomicLong bytesRead, AtomicLong bytesWritten,
                        LongSupplier nanos) {
        this.nanos = nanos;
        this.lastReceivedNanos = nanos.getAsLong();
        this.rekeyedAtNanos = nanos.getAsLong();
        this.socket = socket;
        this.bytesRead = bytesRead;
        this.bytesWritten = bytesWritten;
        this.in = in;
        this.out = out;
        this.settings = settings;
        this.peerSite = peerSite;
        this.label = peerSite;
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
        return start(tls, localSite, settings, listenerFor, System::nanoTime);
    }

    /**
     * The same, with the monotonic time source (nanoseconds, as {@link System#nanoTime}) that the
     * keepalive, the round trip and the rekey age are measured by.
     */
    public static LinkSession start(Socket tls, String localSite, Settings settings,
                                    Function<LinkSession, Listener> listenerFor, LongSupplier nanos)
            throws IOException, ProtocolViolation {
        AtomicLong read = new AtomicLong();
        AtomicLong written = new AtomicLong();
        InputStream in = new BufferedInputStream(new Counting.In(tls.getInputStream(), read), 65_536);
        OutputStream out = new BufferedOutputStream(new Counting.Out(tls.getOutputStream(), written), 65_536);
        // The dialing side (TLS client) reads the listener's HELLO before it sends its own: in TLS
        // 1.3 the client's handshake is done before the server has checked the client's key, and
        // a refusal then comes as an alert, which a write would turn into a broken pipe.
        boolean dialer = tls instanceof SSLSocket ssl && ssl.getUseClientMode();
        Frame.Hello mine = new Frame.Hello(VERSIONS, localSite, settings.window());
        if (!dialer) {
            FrameCodec.write(out, mine);
            out.flush();
        }
        int oldTimeout = tls.getSoTimeout();
        tls.setSoTimeout((int) settings.helloTimeout().toMillis());
        Frame first;
        try {
            first = FrameCodec.read(in);
        } catch (SocketTimeoutException e) {
            throw new IOException("no HELLO from the peer within " + settings.helloTimeout().toSeconds() + " s");
        } finally {
            if (!tls.isClosed()) { // closed by a TLS alert: keep its exception, not "Socket is closed"
                tls.setSoTimeout(oldTimeout);
            }
        }
        if (dialer) {
            FrameCodec.write(out, mine);
            out.flush();
        }
        if (!(first instanceof Frame.Hello hello)) {
            throw new ProtocolViolation("the peer's first frame is not HELLO");
        }
        int version = hello.versions().stream().filter(VERSIONS::contains).mapToInt(Integer::intValue).max().orElse(-1);
        if (version < 0) {
            goodbye(out, "no common version (we speak " + VERSIONS + ", the peer " + hello.versions() + ")");
            throw new ProtocolViolation("no common version: the peer speaks " + hello.versions() + ", we " + VERSIONS);
        }
        LinkSession s = new LinkSession(tls, in, out, settings, hello.site(), version, hello.window(), read, written,
                nanos);
        s.listener = listenerFor.apply(s);
        s.begin();
        return s;
    }

    private void begin() {
        long period = settings.keepaliveInterval().toNanos();
        lastTickNanos = nanos.getAsLong();
        keepalive.scheduleAtFixedRate(this::keepaliveTick, period, period, TimeUnit.NANOSECONDS);
        Thread r = new Thread(this::readLoop, "link-reader-" + peerSite);
        r.setDaemon(true);
        reader = r;
        r.start();
        log.info("link to {} up: protocol version {}, peer window {}", label, version, peerWindow);
    }

    private void readLoop() {
        try {
            while (!closed.get()) {
                Frame f = FrameCodec.read(in);
                lastReceivedNanos = nanos.getAsLong();
                if (f instanceof Frame.Ping p) {
                    pongNonce = p.nonce();
                    if (ponging.compareAndSet(false, true)) {
                        sendControl(this::pong);
                    }
                } else if (f instanceof Frame.Pong p) {
                    if (p.nonce() == pingNonce) {
                        rttNanos = nanos.getAsLong() - pingSentNanos;
                    }
                    if (rekeyUnanswered && answersPingSince(p.nonce(), rekeyNonce)) {
                        // The peer read the PING behind the KeyUpdate (or a later one) before it
                        // answered: its own answering KeyUpdate came before this PONG, and is in effect.
                        rekeyUnanswered = false;
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
        } catch (IOException e) { // a cut: reset, closed without GOODBYE (between frames or inside one)
            close(ConnectionLoss.describe(e), false);
        }
    }

    /** Every keepalive interval, on the keepalive thread: a silent peer declared dead, else a PING. */
    private void keepaliveTick() {
        lastTickNanos = nanos.getAsLong();
        if (presumedDead()) {
            return;
        }
        // The limit falls between two ticks (it counts from the peer's last frame, not from a
        // tick): check again at that very moment, so a dead peer is noticed after
        // keepalive_count intervals, not up to one interval later.
        long untilLimit = silenceLimitNanos() - (nanos.getAsLong() - lastReceivedNanos);
        if (untilLimit < settings.keepaliveInterval().toNanos()) {
            try {
                keepalive.schedule(this::presumedDead, Math.max(0, untilLimit), TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.RejectedExecutionException closing) {
                return; // closed meanwhile
            }
        }
        // A PING every interval, also while frames come in: a peer busy sending us a large message
        // hears from us that way, while its own PING waits behind its data on a thin line.
        if (pinging.compareAndSet(false, true)) {
            sendControl(this::ping);
        }
    }

    /**
     * Runs the keepalive's time check now, not only when it is next due, and returns once it has
     * run: for a time source that is not {@link System#nanoTime} (a test's, moved by hand), whose
     * due moments the keepalive thread cannot sleep until.
     */
    void checkTimers() throws InterruptedException {
        try {
            keepalive.submit(() -> {
                if (presumedDead()) {
                    return;
                }
                if (nanos.getAsLong() - lastTickNanos >= settings.keepaliveInterval().toNanos()) {
                    keepaliveTick(); // a tick is due by the clock: as the timer's own
                }
            }).get();
        } catch (RejectedExecutionException | java.util.concurrent.CancellationException closed) {
            // nothing left to check
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    private long silenceLimitNanos() {
        return settings.keepaliveInterval().toNanos() * settings.keepaliveCount();
    }

    /** Closes the link if the peer has been silent for keepalive_count intervals; true if it did. */
    private boolean presumedDead() {
        long silent = nanos.getAsLong() - lastReceivedNanos;
        if (silent < silenceLimitNanos() || closed.get()) {
            return false;
        }
        close("the peer sent nothing for " + Duration.ofNanos(silent).toMillis() + " ms ("
                + settings.keepaliveCount() + " keepalive intervals): presumed dead", true);
        return true;
    }

    private void ping() throws IOException {
        pinging.set(false);
        long sent = nanos.getAsLong(); // as before: the round trip includes the wait for the write lock
        synchronized (out) { // the nonce in the order the PINGs go out
            pingNonce = nextPingNonce();
            pingSentNanos = sent;
            send(new Frame.Ping(pingNonce));
        }
    }

    /** Under the write lock, for the PING about to be written: one past the last PING's nonce. */
    private long nextPingNonce() {
        long n = lastPingNonce + 1;
        lastPingNonce = n;
        return n;
    }

    /**
     * Whether a PONG's nonce answers the PING with nonce {@code first} or one sent after it. A peer
     * answers only the latest PING it has read when several came before it got to answer (see
     * {@link #pong}), e.g. the PING behind a KeyUpdate and the keepalive PING right after it: the
     * PONG to the later one shows just as well that the peer read the earlier one.
     */
    private boolean answersPingSince(long nonce, long first) {
        return Long.compareUnsigned(nonce - first, lastPingNonce - first) <= 0;
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
                    close(ConnectionLoss.describe(e), false);
                }
            });
        } catch (RejectedExecutionException closing) {
            // the session is closed
        }
    }

    /** Sends a frame; rekeys first when the keys are due for renewal (not on the reader thread). */
    public void send(Frame f) throws IOException {
        synchronized (out) {
            FrameCodec.write(out, f);
            out.flush();
            if (Thread.currentThread() != reader) {
                rekeyIfDue();
            }
        }
    }

    /**
     * Under the write lock, with {@code out} flushed: sends a TLS 1.3 KeyUpdate (asking the peer
     * for one too) when the keys are older than the rekey interval or have carried the rekey
     * volume. The KeyUpdate needs no answer, so this never waits for the peer's reader.
     */
    private void rekeyIfDue() throws IOException {
        if (!(socket instanceof SSLSocket tls) || !tls.getUseClientMode() || rekeyUnanswered || closed.get()) {
            return;
        }
        long now = nanos.getAsLong();
        long total = bytesRead.get() + bytesWritten.get();
        long volume = total - bytesAtRekey;
        long age = now - rekeyedAtNanos;
        boolean byVolume = settings.rekeyBytes() > 0 && volume >= settings.rekeyBytes();
        boolean byAge = !settings.rekeyInterval().isZero() && age >= settings.rekeyInterval().toNanos();
        if (!byVolume && !byAge) {
            return;
        }
        tls.startHandshake(); // TLS 1.3, established: sends KeyUpdate(update_requested)
        rekeyNonce = nextPingNonce(); // before the flag: the reader, seeing it set, compares with this one
        rekeyUnanswered = true;
        FrameCodec.write(out, new Frame.Ping(rekeyNonce));
        out.flush();
        rekeyedAtNanos = now;
        bytesAtRekey = total;
        lastRekey = Instant.now();
        rekeys++;
        log.info("link to {} rekeyed (TLS 1.3 KeyUpdate) after {} s and {} octets with the same keys: rekey {} of this link",
                label, Duration.ofNanos(age).toSeconds(), volume, rekeys);
    }

    /**
     * Names the peer in this session's log lines by its configured name, e.g. {@code birlinghoven}
     * for a peer whose HELLO said {@code relay.birlinghoven.example}.
     */
    public void nameInLogs(String peerName) {
        this.label = peerName.equals(peerSite) ? peerName : peerName + " (" + peerSite + ")";
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

    /** When this link came up. */
    public Instant upSince() {
        return upSince;
    }

    /** How often this side rekeyed this link. */
    public int rekeys() {
        return rekeys;
    }

    /** Whether this side rekeys this link: it dialed it (the peer rekeys the links it dialed). */
    public boolean rekeysHere() {
        return socket instanceof SSLSocket tls && tls.getUseClientMode();
    }

    /** When this side last rekeyed it, or null if never. */
    public Instant lastRekey() {
        return lastRekey;
    }

    /** Octets read from the peer over this link (TLS plaintext: frames and all). */
    public long bytesRead() {
        return bytesRead.get();
    }

    /** Octets written to the peer over this link (TLS plaintext: frames and all). */
    public long bytesWritten() {
        return bytesWritten.get();
    }

    /** The certificate the peer presented in the TLS handshake, or null on a socket without TLS. */
    public X509Certificate peerCertificate() {
        if (!(socket instanceof SSLSocket tls)) {
            return null;
        }
        try {
            Certificate[] chain = tls.getSession().getPeerCertificates();
            return chain.length > 0 && chain[0] instanceof X509Certificate x ? x : null;
        } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
            return null;
        }
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
        // Timer checks still queued never run: cancelled, so a checkTimers() waiting for one returns.
        keepalive.shutdownNow().forEach(r -> ((java.util.concurrent.Future<?>) r).cancel(false));
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
        log.warn("link to {} down: {}", label, reason);
        listener.down(this, reason);
    }

    private static void goodbye(OutputStream out, String reason) throws IOException {
        synchronized (out) {
            FrameCodec.write(out, new Frame.Goodbye(reason.length() > 500 ? reason.substring(0, 500) : reason));
            out.flush();
        }
    }
}
