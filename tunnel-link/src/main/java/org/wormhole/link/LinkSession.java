package org.wormhole.link;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
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
 * <p>A little longer than our classes usually are: a third of it is the one-line accessors that
 * {@code wormhole link status} reads (round trip, octets, rekeys, certificate, streams).
 */
public final class LinkSession implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger("link");

    /** The protocol versions this side speaks (PROTOCOL.md): 2 adds the byte streams. */
    public static final List<Integer> VERSIONS = List.of(1, 2);

    /** The first version with byte streams. */
    public static final int STREAMS_VERSION = 2;

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

    private final Socket socket;
    private final InputStream in;
    private final FrameWriter writer;
    private final SessionSettings settings;
    private Listener listener; // set once in start(), before the reader and the keepalive start
    private final String peerSite;
    private volatile String label; // how log lines name the peer: its configured name once known
    private final int version;
    private final int peerWindow;
    private final Keepalive keepalive;
    private final Rekeying rekeying;
    private final StreamChannels streams;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Instant upSince = Instant.now();
    private final AtomicLong bytesRead;    // TLS plaintext octets, frames and all
    private final AtomicLong bytesWritten;
    private volatile Thread reader;

    private LinkSession(Socket socket, InputStream in, FrameWriter writer, SessionSettings settings,
                        String peerSite, int version, int peerWindow, AtomicLong bytesRead, AtomicLong bytesWritten,
                        LongSupplier nanos) {
        this.socket = socket;
        this.bytesRead = bytesRead;
        this.bytesWritten = bytesWritten;
        this.in = in;
        this.writer = writer;
        this.settings = settings;
        this.peerSite = peerSite;
        this.label = peerSite;
        this.version = version;
        this.peerWindow = peerWindow;
        this.keepalive = new Keepalive(peerSite, settings.keepaliveInterval(), settings.keepaliveCount(), nanos, writer,
                this::close);
        boolean dialer = socket instanceof SSLSocket tls && tls.getUseClientMode();
        this.rekeying = new Rekeying(dialer ? (SSLSocket) socket : null, settings.rekeyInterval(), settings.rekeyBytes(),
                nanos, () -> bytesRead.get() + bytesWritten.get(), keepalive);
        this.streams = new StreamChannels(this, writer, dialer, settings.streams().window(), settings.streams().maxOpen());
        writer.afterFlush(this::rekeyIfDue);
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
        AtomicLong read = new AtomicLong();
        AtomicLong written = new AtomicLong();
        InputStream in = new BufferedInputStream(new Counting.In(tls.getInputStream(), read), 65_536);
        OutputStream out = new BufferedOutputStream(new Counting.Out(tls.getOutputStream(), written), 65_536);
        FrameWriter writer = new FrameWriter(out);
        Greeting.Agreed hello = Greeting.exchange(tls, in, writer, localSite, settings);
        LinkSession s = new LinkSession(tls, in, writer, settings, hello.peerSite(), hello.version(), hello.peerWindow(),
                read, written, nanos);
        s.listener = listenerFor.apply(s);
        s.begin();
        return s;
    }

    private void begin() {
        keepalive.start();
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
                keepalive.heard();
                if (f instanceof Frame.Ping p) {
                    keepalive.ping(p);
                } else if (f instanceof Frame.Pong p) {
                    keepalive.pong(p);
                    rekeying.pong(p);
                } else if (f instanceof Frame.Goodbye g) {
                    close("the peer said goodbye: " + g.reason(), false);
                    return;
                } else if (f instanceof Frame.Hello) {
                    throw new ProtocolViolation("a second HELLO");
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
            close(ConnectionLoss.describe(e), false);
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
        keepalive.checkTimers();
    }

    /** Sends a mail frame; rekeys after it when the keys are due for renewal (not on the reader thread). */
    public void send(Frame f) throws IOException {
        writer.write(f);
    }

    /** After each flush, under the write lock: the rekey, never from the reader thread. */
    private void rekeyIfDue(OutputStream out) throws IOException {
        if (Thread.currentThread() != reader && !closed.get()) {
            rekeying.rekeyIfDue(out, label);
        }
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

    Thread readerThread() {
        return reader;
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
        return keepalive.rtt();
    }

    /** When this link came up. */
    public Instant upSince() {
        return upSince;
    }

    /** How often this side rekeyed this link. */
    public int rekeys() {
        return rekeying.count();
    }

    /** Whether this side rekeys this link: it dialed it (the peer rekeys the links it dialed). */
    public boolean rekeysHere() {
        return rekeying.here();
    }

    /** When this side last rekeyed it, or null if never. */
    public Instant lastRekey() {
        return rekeying.last();
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

    /** Ends the session once: GOODBYE if {@code sayGoodbye} and possible, then the socket. */
    public void close(String reason, boolean sayGoodbye) {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        keepalive.stop();
        if (sayGoodbye) {
            // Best effort, and never blocking on a peer that stopped reading.
            Thread bye = new Thread(() -> {
                try {
                    writer.writeNow(goodbye(reason));
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
        streams.down(reason);
        listener.down(this, reason);
    }

    static Frame.Goodbye goodbye(String reason) {
        return new Frame.Goodbye(reason.length() > 500 ? reason.substring(0, 500) : reason);
    }
}
