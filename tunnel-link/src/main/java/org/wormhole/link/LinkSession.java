package org.wormhole.link;

import java.io.IOException;
import java.net.Socket;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.LongSupplier;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.wormhole.link.wire.Frame;
import org.wormhole.link.wire.FrameCodec;
import org.wormhole.link.wire.ProtocolViolation;

/**
 * One established link to a peer over an authenticated TLS socket: a transport of channels. The
 * HELLO exchange negotiates the version; then a reader thread reads the frames and hands each to
 * its channel: the mail's frames (OFFER .. CANCEL, channel 0) to the {@link Listener} (a
 * {@link LinkCourier}), the byte streams' (version 2) to their {@link LinkStream}s. Writes go
 * through one {@link FrameWriter} (fair turns, flushed by the last writer of a run); the
 * {@link Keepalive} watches the peer and the {@link Rekeying} renews the keys (PROTOCOL.md
 * "Liveness", "Rekeying", "Streams").
 *
 * <p>Thread-safe: {@link #send} and {@link #openStream} may be called from any thread.
 *
 * <p>Longer than our classes usually are: the lanes (a reader per connection, the join, which lane
 * a message takes) share the session's one close, listener and stream channels, so they are here;
 * and a third of it is the one-line accessors that {@code wormhole link status} reads (round trip,
 * octets, rekeys, certificate, streams, lanes).
 */
public final class LinkSession implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger("link");

    /** The protocol versions this side speaks (PROTOCOL.md): 2 adds the byte streams. */
    public static final List<Integer> VERSIONS = List.of(1, 2);

    /** The first version with byte streams. */
    public static final int STREAMS_VERSION = 2;

    /** The first version with lanes. */
    public static final int LANES_VERSION = 2;

    /** Messages of this size or more go on the lanes beyond lane 0, when the link has some. */
    static final long BULK_SIZE = 256 * 1024;

    private static final SecureRandom RANDOM = new SecureRandom();

    /**
     * Hears the session's channels and its end: the mail's frames, the peer's requests for
     * streams, and the end of the link. Called on the session's reader thread: return soon.
     */
    public interface Listener {
        void frame(LinkSession session, Frame frame);

        void down(LinkSession session, String reason);

        /** The peer asks for a stream to a service of this side's; by default, none is offered. */
        default void open(LinkSession session, StreamOpening request) {
            request.refuse("no such service");
        }
    }

    private final Lane primary; // lane 0: the connection the link started on
    private final List<Lane> lanes = new CopyOnWriteArrayList<>(); // in the order they joined, lane 0 first
    private final SessionSettings settings;
    private final LongSupplier nanos;
    private final boolean dialer;
    private Listener listener; // set once in start(), before the reader and the keepalive start
    private final String peerSite;
    private volatile String label; // how log lines name the peer: its configured name once known
    private final int version;
    private final int peerWindow;
    private final StreamChannels streams;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Instant upSince = Instant.now();
    private final AtomicInteger nextBulkLane = new AtomicInteger();
    private final CompletableFuture<Frame.Lanes> lanesOffered = new CompletableFuture<>(); // the dialer's, from LANES
    private volatile byte[] token; // the listener's: names this link to the lanes that join it
    private volatile int lanesAccepted; // the listener's: how many more lanes it takes

    private LinkSession(Lane primary, SessionSettings settings, Greeting.Agreed agreed, LongSupplier nanos) {
        this.primary = primary;
        this.settings = settings;
        this.nanos = nanos;
        this.dialer = primary.socket instanceof SSLSocket tls && tls.getUseClientMode();
        this.peerSite = agreed.peerSite();
        this.label = peerSite;
        this.version = agreed.version();
        this.peerWindow = agreed.peerWindow();
        this.streams = new StreamChannels(this, primary.writer, dialer, settings.streams().window(),
                settings.streams().maxOpen());
        equip(primary);
    }

    /**
     * Exchanges HELLO on a socket whose TLS handshake (with pinned keys) is done, then starts the
     * reader and the keepalive.
     *
     * @throws ProtocolViolation no common version, or the peer did not start with HELLO
     * @throws IOException       the connection failed, or no HELLO came within the timeout
     */
    public static LinkSession start(Socket tls, String localSite, SessionSettings settings, Listener listener)
            throws IOException, ProtocolViolation {
        return start(tls, localSite, settings, session -> listener);
    }

    /**
     * As {@link #start(Socket, String, SessionSettings, Listener)}, with a listener made for this session
     * (e.g. its {@link LinkCourier}) after the HELLO exchange and before the reader starts, so it
     * hears every frame.
     */
    public static LinkSession start(Socket tls, String localSite, SessionSettings settings,
                                    Function<LinkSession, Listener> listenerFor) throws IOException, ProtocolViolation {
        return start(tls, localSite, settings, listenerFor, System::nanoTime);
    }

    /**
     * The same, with the monotonic time source (nanoseconds, as {@link System#nanoTime}) that the
     * keepalive, the round trip and the rekey age are measured by.
     */
    public static LinkSession start(Socket tls, String localSite, SessionSettings settings,
                                    Function<LinkSession, Listener> listenerFor, LongSupplier nanos)
            throws IOException, ProtocolViolation {
        Lane lane = Lane.over(tls, 0);
        Greeting.Greeted greeted = Greeting.exchange(tls, lane.in, lane.writer, localSite, settings);
        if (!(greeted instanceof Greeting.Agreed agreed)) {
            lane.writer.writeNow(goodbye("no such link to join"));
            throw new ProtocolViolation("a JOIN for a link this side does not know");
        }
        return start(lane, agreed, settings, listenerFor, nanos);
    }

    /** Starts the link on its first lane, greeted already. */
    static LinkSession start(Lane lane, Greeting.Agreed agreed, SessionSettings settings,
                             Function<LinkSession, Listener> listenerFor, LongSupplier nanos) throws IOException {
        LinkSession s = new LinkSession(lane, settings, agreed, nanos);
        s.listener = listenerFor.apply(s);
        s.begin();
        return s;
    }

    private void begin() throws IOException {
        if (!dialer && version >= LANES_VERSION) { // always, so the dialer never waits for it
            byte[] t = new byte[Frame.TOKEN];
            RANDOM.nextBytes(t);
            token = t;
            lanesAccepted = settings.lanes() - 1;
            primary.writer.write(new Frame.Lanes(t, lanesAccepted));
        }
        run(primary);
        log.info("link to {} up: protocol version {}, peer window {}", label, version, peerWindow);
    }

    /** Gives a lane its keepalive and its rekey. */
    private void equip(Lane lane) {
        lane.keepalive = new Keepalive(peerSite, settings.keepaliveInterval(), settings.keepaliveCount(), nanos,
                lane.writer, this::close);
        lane.rekeying = new Rekeying(dialer ? (SSLSocket) lane.socket : null, settings.rekeyInterval(),
                settings.rekeyBytes(), nanos, () -> lane.read.get() + lane.written.get(), lane.keepalive);
        // After each flush, under the write lock: the rekey, never from the lane's reader thread.
        lane.writer.afterFlush(out -> {
            if (Thread.currentThread() != lane.reader && !closed.get()) {
                lane.rekeying.rekeyIfDue(out, label + (lane.index == 0 ? "" : " lane " + lane.index));
            }
        });
    }

    /** Starts a lane's reader and keepalive. */
    private void run(Lane lane) {
        lanes.add(lane);
        lane.keepalive.start();
        Thread r = new Thread(() -> readLoop(lane), "link-reader-" + peerSite + (lane.index == 0 ? "" : "-" + lane.index));
        r.setDaemon(true);
        lane.reader = r;
        r.start();
    }

    /**
     * The dialing side: the LANES offer of the listening side, which it sends right after HELLO
     * on a version-2 link; fails when the link goes down first.
     */
    CompletableFuture<Frame.Lanes> lanesOffered() {
        return lanesOffered;
    }

    /**
     * Adds a connection to this link as lane {@code join.lane()}: on the listening side once the
     * JOIN names this link's token and a lane it offered and does not have (then it answers with
     * the same JOIN), on the dialing side once the listener answered its JOIN.
     *
     * @return false, and the connection is not taken, if this side takes no such lane
     */
    boolean join(Lane lane, Frame.Join join) throws IOException {
        if (!dialer) {
            byte[] t = token;
            synchronized (lanes) {
                boolean known = t != null && MessageDigest.isEqual(t, join.token()) && join.lane() <= lanesAccepted
                        && lanes.stream().noneMatch(l -> l.index == join.lane());
                if (!known || closed.get()) {
                    return false;
                }
                lane.writer.writeNow(join);
            }
        }
        equip(lane);
        synchronized (lanes) {
            if (closed.get()) {
                lane.close();
                return false;
            }
            run(lane);
        }
        log.info("link to {}: lane {} joined ({} connections)", label, lane.index, lanes.size());
        return true;
    }

    private void readLoop(Lane lane) {
        try {
            while (!closed.get()) {
                Frame f = FrameCodec.read(lane.in);
                lane.keepalive.heard();
                if (f instanceof Frame.Ping p) {
                    lane.keepalive.ping(p);
                } else if (f instanceof Frame.Pong p) {
                    lane.keepalive.pong(p);
                    lane.rekeying.pong(p);
                } else if (f instanceof Frame.Goodbye g) {
                    close("the peer said goodbye: " + g.reason(), false);
                    return;
                } else if (f instanceof Frame.Hello || f instanceof Frame.Join) {
                    throw new ProtocolViolation("a " + (f instanceof Frame.Hello ? "HELLO" : "JOIN") + " on a link that is up");
                } else if (f instanceof Frame.Lanes l) {
                    if (!dialer || lane != primary || version < LANES_VERSION || lanesOffered.isDone()) {
                        throw new ProtocolViolation("LANES from the dialing side, on a lane, or twice");
                    }
                    lanesOffered.complete(l);
                } else if (isStreamFrame(f)) {
                    if (version < STREAMS_VERSION) {
                        throw new ProtocolViolation("a stream frame in protocol version " + version);
                    }
                    streams.frame(f);
                } else {
                    listener.frame(this, f);
                }
            }
        } catch (ProtocolViolation e) {
            close("protocol violation by the peer: " + e.getMessage(), true);
        } catch (IOException e) { // a cut: reset, closed without GOODBYE (between frames or inside one)
            close(ConnectionLoss.describe(e) + (lane.index == 0 ? "" : " on lane " + lane.index), false);
        }
    }

    private static boolean isStreamFrame(Frame f) {
        return f instanceof Frame.Open || f instanceof Frame.Opened || f instanceof Frame.Data
                || f instanceof Frame.Credit || f instanceof Frame.Eof || f instanceof Frame.Close;
    }

    /**
     * Runs the keepalive's time check now, not only when it is next due, and returns once it has
     * run: for a time source that is not {@link System#nanoTime} (a test's, moved by hand).
     */
    void checkTimers() throws InterruptedException {
        for (Lane lane : lanes) {
            lane.keepalive.checkTimers();
        }
    }

    /** Sends a frame on lane 0; rekeys after it when the keys are due for renewal (not on the reader thread). */
    public void send(Frame f) throws IOException {
        primary.writer.write(f);
    }

    /**
     * Where a message of {@code size} octets goes (all its frames, in order): a large one on the
     * next of the lanes beyond lane 0 in turn, so several large messages fill several connections'
     * windows at once; a small one, and every one on a link of one lane, on lane 0, where it never
     * waits behind a large one's CHUNKs in a TCP send buffer.
     */
    FrameWriter laneFor(long size) {
        int n = lanes.size();
        if (size < BULK_SIZE || n < 2) {
            return primary.writer;
        }
        Lane l = lanes.get(1 + Math.floorMod(nextBulkLane.getAndIncrement(), n - 1));
        return l.writer;
    }

    /** How many connections carry this link now. */
    public int lanes() {
        return lanes.size();
    }

    /** Octets written to the peer over each lane (TLS plaintext), lane 0 first. */
    public List<Long> laneOctetsWritten() {
        return lanes.stream().map(l -> l.written.get()).toList();
    }

    /**
     * Opens a byte stream to the peer's {@code service} (protocol version 2). The future completes
     * once the peer has accepted it, or fails with the peer's reason (e.g. "no such service"), or
     * at once on a version-1 link or a link that is down.
     *
     * @throws IllegalArgumentException the service name is not 1..64 printable ASCII
     */
    public CompletableFuture<LinkStream> openStream(String service) {
        if (version < STREAMS_VERSION) {
            return CompletableFuture.failedFuture(new IOException("link to " + label + " speaks protocol version " + version
                    + ", which has no streams"));
        }
        return streams.open(service);
    }

    /** The byte streams open (or closing) on this link. */
    public List<LinkStream> streams() {
        return streams.streams();
    }

    Listener listener() {
        return listener;
    }

    /** Whether {@code t} reads one of this link's lanes: it must never wait on a write lock. */
    boolean isReader(Thread t) {
        for (Lane lane : lanes) {
            if (lane.reader == t) {
                return true;
            }
        }
        return false;
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
        return primary.keepalive.rtt();
    }

    /** When this link came up. */
    public Instant upSince() {
        return upSince;
    }

    /** How often this side rekeyed this link. */
    public int rekeys() {
        return lanes.stream().mapToInt(l -> l.rekeying.count()).sum();
    }

    /** Whether this side rekeys this link: it dialed it (the peer rekeys the links it dialed). */
    public boolean rekeysHere() {
        return primary.rekeying.here();
    }

    /** When this side last rekeyed it, or null if never. */
    public Instant lastRekey() {
        return lanes.stream().map(l -> l.rekeying.last()).filter(Objects::nonNull).max(Instant::compareTo).orElse(null);
    }

    /** Octets read from the peer over this link (TLS plaintext: frames and all). */
    public long bytesRead() {
        return lanes.stream().mapToLong(l -> l.read.get()).sum();
    }

    /** Octets written to the peer over this link (TLS plaintext: frames and all). */
    public long bytesWritten() {
        return lanes.stream().mapToLong(l -> l.written.get()).sum();
    }

    /** The certificate the peer presented in the TLS handshake, or null on a socket without TLS. */
    public X509Certificate peerCertificate() {
        if (!(primary.socket instanceof SSLSocket tls)) {
            return null;
        }
        try {
            Certificate[] chain = tls.getSession().getPeerCertificates();
            return chain.length > 0 && chain[0] instanceof X509Certificate x ? x : null;
        } catch (SSLPeerUnverifiedException e) {
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

    /**
     * Ends the session once: GOODBYE on every lane (lane 0 first) if {@code sayGoodbye} and
     * possible, then closes every lane. Each lane's GOODBYE comes before its end, so the peer
     * reads the reason on whichever lane it notices first, not "closed without GOODBYE".
     */
    public void close(String reason, boolean sayGoodbye) {
        List<Lane> all;
        synchronized (lanes) { // no lane joins once this is set
            if (!closed.compareAndSet(false, true)) {
                return;
            }
            all = List.copyOf(lanes);
        }
        all.forEach(l -> l.keepalive.stop());
        lanesOffered.completeExceptionally(new IOException("link down: " + reason));
        if (sayGoodbye) {
            // Best effort, and never blocking on a peer that stopped reading.
            Thread bye = new Thread(() -> {
                Frame.Goodbye bye0 = goodbye(reason);
                try {
                    primary.writer.writeNow(bye0);
                } catch (IOException ignored) {
                    return; // the peer is gone anyway
                }
                for (Lane l : all) {
                    if (l != primary) {
                        try {
                            l.writer.writeNow(bye0);
                        } catch (IOException ignored) {
                            // that lane is gone: the others still say why
                        }
                    }
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
        primary.close(); // also before it carries the link (a greeting that failed)
        all.forEach(Lane::close);
        log.warn("link to {} down: {}", label, reason);
        streams.down(reason);
        listener.down(this, reason);
    }

    static Frame.Goodbye goodbye(String reason) {
        return new Frame.Goodbye(reason.length() > 500 ? reason.substring(0, 500) : reason);
    }
}
