package org.wormhole.link;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongSupplier;
import javax.net.ssl.SSLSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.wormhole.link.wire.Frame;
import org.wormhole.link.wire.ProtocolViolation;

/**
 * This site's end of its links: it keeps one link up to every configured peer, dialing the peers
 * it is told to dial (reconnecting with exponential backoff and jitter, capped) and accepting the
 * others on its listening port. If both sides dial at once, the connection dialed by the side
 * whose pin sorts first is kept and the other is closed with {@code GOODBYE "duplicate link"}.
 *
 * <p>Thread-safe.
 */
public final class LinkEndpoint implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger("link");

    /**
     * A configured peer.
     *
     * @param name the peer's name in the configuration (and in {@code tsmtp:NAME})
     * @param host where to dial it
     * @param port its link port
     * @param pins its accepted keys (two during a rollover)
     * @param dial whether this side dials it (a branch behind NAT is never dialed)
     */
    public record Peer(String name, String host, int port, Set<Pin> pins, boolean dial) {
        public Peer {
            pins = Set.copyOf(pins);
        }
    }

    /**
     * Reconnect and session settings.
     *
     * @param handshakeTimeout how long an accepted connection may take for its TLS handshake and
     *                         HELLO in all (the peer is a machine: a few seconds); a dialer's reads
     *                         in its handshake wait as long
     */
    public record Settings(LinkSession.Settings session, Duration initialBackoff, Duration maxBackoff,
                           Duration connectTimeout, Duration handshakeTimeout) {

        /** The default {@code link_handshake_timeout}. */
        public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(5);

        /** With the default handshake timeout, or the hello timeout if shorter. */
        public Settings(LinkSession.Settings session, Duration initialBackoff, Duration maxBackoff,
                        Duration connectTimeout) {
            this(session, initialBackoff, maxBackoff, connectTimeout,
                    session.helloTimeout().compareTo(DEFAULT_HANDSHAKE_TIMEOUT) < 0 ? session.helloTimeout()
                            : DEFAULT_HANDSHAKE_TIMEOUT);
        }

        public static Settings defaults() {
            return new Settings(LinkSession.Settings.defaults(), Duration.ofSeconds(1), Duration.ofSeconds(60),
                    Duration.ofSeconds(10));
        }

        /** The same with another handshake timeout. */
        public Settings withHandshakeTimeout(Duration timeout) {
            return new Settings(session, initialBackoff, maxBackoff, connectTimeout, timeout);
        }
    }

    /** What the relay hears of its links. Called on link threads. */
    public interface Events {
        void up(Peer peer, LinkSession session);

        void down(Peer peer, String reason);

        /** A dial to the peer failed (the link stays down; the next try follows after a backoff). */
        default void dialFailed(Peer peer, String reason) {
        }

        /**
         * A key was refused in a handshake with the peer: by this side (a key not among the peer's
         * pins, from the peer's address or naming the peer in its certificate) or by the peer
         * (it answered this site's certificate with a TLS alert).
         */
        default void keyRefused(Peer peer, KeyRefusal refusal) {
        }

        /** A mail frame, only on an endpoint without a custodian (with one, the link's courier takes them). */
        default void frame(Peer peer, LinkSession session, Frame frame) {
        }
    }

    private final SiteIdentity self;
    private final String siteName;
    private final List<Peer> peers;
    private final Settings settings;
    private final Custodian custodian; // null: no custody transfer, mail frames go to Events.frame
    private final Events events;
    private final Map<String, LinkSession> sessions = new ConcurrentHashMap<>();
    private final Map<LinkSession, LinkCourier> couriers = new ConcurrentHashMap<>();
    private final Map<String, LinkTraffic> traffic = new ConcurrentHashMap<>();
    private final Set<LinkSession> dialed = ConcurrentHashMap.newKeySet(); // the open sessions this side dialed
    private final Set<Thread> dialers = ConcurrentHashMap.newKeySet();
    /** Connections accepted whose TLS handshake and HELLO are not done yet (as sshd's MaxStartups). */
    static final int MAX_STARTUPS = 10;
    /** ... of which from one address at most (as sshd's PerSourceMaxStartups); a peer's address has its own room. */
    static final int MAX_STARTUPS_PER_SOURCE = 3;
    /** Refusals are logged once per source address per this interval, then summed up. */
    static final Duration REFUSAL_LOG_INTERVAL = Duration.ofSeconds(60);
    /**
     * Busy refusals waiting to close (after the dialer has read the alert), in all and per source
     * address; beyond, reset at once. Per address, so a flood from one never costs another dialer
     * its busy signal.
     */
    private static final int MAX_LINGERING = 256;
    private static final int MAX_LINGERING_PER_SOURCE = 8;
    private final Map<InetAddress, Integer> lingeringBySource = new java.util.HashMap<>();
    /**
     * The busy signal (PROTOCOL.md, "Transport"): a TLS plaintext record with a fatal
     * {@code user_canceled} alert, in answer to the ClientHello.
     */
    static final byte[] BUSY_ALERT = {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x5a};
    private volatile StartupSlots startups = new StartupSlots(MAX_STARTUPS, MAX_STARTUPS_PER_SOURCE, Set.of());
    private final Map<InetAddress, List<Peer>> peersByAddress = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicInteger lingering = new java.util.concurrent.atomic.AtomicInteger();
    private final java.time.Clock clock;
    private final LongSupplier nanos;
    private final RefusalLog refusals;
    private final java.util.concurrent.ScheduledExecutorService timer =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "link-admit-deadline");
                t.setDaemon(true);
                return t;
            });
    private volatile ServerSocket listener;
    private volatile boolean closed;

    /**
     * An endpoint that transfers custody: every link gets a {@link LinkCourier} that sends this
     * relay's messages ({@link #courier}) and hands the peer's to {@code custodian}.
     */
    public LinkEndpoint(SiteIdentity self, String siteName, List<Peer> peers, Settings settings, Custodian custodian,
                        Events events) {
        this(self, siteName, peers, settings, custodian, events, java.time.Clock.systemUTC());
    }

    /** As above, with the clock of refusal times and of the refusal log's intervals. */
    public LinkEndpoint(SiteIdentity self, String siteName, List<Peer> peers, Settings settings, Custodian custodian,
                        Events events, java.time.Clock clock) {
        this(self, siteName, peers, settings, custodian, events, clock, System::nanoTime);
    }

    /**
     * As above, with the monotonic time source (nanoseconds, as {@link System#nanoTime}) of every
     * link's keepalive, round trip and rekey age ({@link LinkSession#start(java.net.Socket, String,
     * LinkSession.Settings, java.util.function.Function, LongSupplier)}).
     */
    public LinkEndpoint(SiteIdentity self, String siteName, List<Peer> peers, Settings settings, Custodian custodian,
                        Events events, java.time.Clock clock, LongSupplier nanos) {
        this.clock = clock;
        this.nanos = nanos;
        this.refusals = new RefusalLog(clock, REFUSAL_LOG_INTERVAL, 1000, line -> log.warn("{}", line));
        this.self = self;
        this.siteName = siteName;
        this.peers = List.copyOf(peers);
        this.settings = settings;
        this.custodian = custodian;
        this.events = events;
        peers.forEach(p -> traffic.put(p.name(), new LinkTraffic()));
    }

    /** An endpoint that only keeps links up, without custody transfer: mail frames go to {@link Events#frame}. */
    public LinkEndpoint(SiteIdentity self, String siteName, List<Peer> peers, Settings settings, Events events) {
        this(self, siteName, peers, settings, null, events);
    }

    /** Accepts links from the configured peers on {@code address} (port 0: any free port). */
    public void listen(InetSocketAddress address) throws IOException, GeneralSecurityException {
        Set<Pin> all = new HashSet<>();
        peers.forEach(p -> all.addAll(p.pins()));
        // Refusals are logged by admit(), rate-limited per source address.
        LinkTls tls = new LinkTls(self, all, (offered, why) -> { });
        Set<InetAddress> peerAddresses = new HashSet<>();
        for (Peer p : peers) {
            try {
                for (InetAddress a : InetAddress.getAllByName(p.host())) {
                    peerAddresses.add(a);
                    peersByAddress.computeIfAbsent(a, x -> new java.util.concurrent.CopyOnWriteArrayList<>()).add(p);
                }
            } catch (java.net.UnknownHostException e) {
                log.info("link: peer {}'s address {} does not resolve; its handshakes share the slots of strangers",
                        p.name(), p.host());
            }
        }
        startups = new StartupSlots(MAX_STARTUPS, MAX_STARTUPS_PER_SOURCE, peerAddresses);
        timer.scheduleAtFixedRate(refusals::flush, 5, 5, java.util.concurrent.TimeUnit.SECONDS);
        ServerSocket s = new AdmissionSocket.Listener();
        s.bind(address, 50);
        listener = s;
        Thread t = new Thread(() -> acceptLoop(s, tls), "link-accept");
        t.setDaemon(true);
        t.start();
        log.info("link listening on {}:{}", address.getAddress().getHostAddress(), s.getLocalPort());
    }

    public int boundPort() {
        return listener.getLocalPort();
    }

    /** Starts dialing the peers this side dials. */
    public void start() throws GeneralSecurityException {
        for (Peer p : peers) {
            if (p.dial()) {
                LinkTls tls = new LinkTls(self, p.pins(), (offered, why) -> { }); // dialLoop logs a refusal
                Thread t = new Thread(() -> dialLoop(p, tls), "link-dial-" + p.name());
                t.setDaemon(true);
                dialers.add(t);
                t.start();
            }
        }
    }

    /** The open link to {@code peer}, if any. */
    public Optional<LinkSession> session(String peer) {
        LinkSession s = sessions.get(peer);
        return s != null && s.isOpen() ? Optional.of(s) : Optional.empty();
    }

    /** The courier of the open link to {@code peer}, if any; always empty without a custodian. */
    public Optional<LinkCourier> courier(String peer) {
        return session(peer).map(couriers::get);
    }

    /** The mail carried over the links to {@code peer} since this endpoint started (zeros for an unknown peer). */
    public LinkTraffic.Counts traffic(String peer) {
        LinkTraffic t = traffic.get(peer);
        return t == null ? new LinkTraffic().counts() : t.counts();
    }

    private void acceptLoop(ServerSocket s, LinkTls tls) {
        while (!closed) {
            Socket plain;
            try {
                plain = s.accept();
            } catch (IOException e) {
                if (!closed) {
                    log.warn("link accept failed: {}", e.toString());
                }
                return;
            }
            InetSocketAddress from = (InetSocketAddress) plain.getRemoteSocketAddress();
            StartupSlots slots = startups;
            StartupSlots.Verdict verdict = slots.take(from.getAddress());
            if (verdict instanceof StartupSlots.Busy busy) {
                refusals.refused(from, "busy", busy.why());
                sayBusy(plain);
                continue;
            }
            StartupSlots.Taken slot = (StartupSlots.Taken) verdict;
            Thread t = new Thread(() -> {
                try {
                    admit(plain, from, tls);
                } finally {
                    slots.release(slot);
                }
            }, "link-admit");
            t.setDaemon(true);
            t.start();
        }
    }

    /**
     * Tells a dialer this listener is busy: the busy alert, then the connection is closed a moment
     * later, once the dialer has read it (closed at once, the unread ClientHello would make it a
     * reset, which the dialer might see instead of the alert).
     */
    private void sayBusy(Socket plain) {
        try {
            plain.getOutputStream().write(BUSY_ALERT);
            plain.shutdownOutput();
        } catch (IOException e) {
            reset(plain);
            return;
        }
        InetAddress source = plain.getInetAddress();
        synchronized (lingeringBySource) {
            int mine = lingeringBySource.getOrDefault(source, 0);
            if (lingering.get() >= MAX_LINGERING || mine >= MAX_LINGERING_PER_SOURCE) {
                reset(plain);
                return;
            }
            lingering.incrementAndGet();
            lingeringBySource.put(source, mine + 1);
        }
        Runnable done = () -> {
            synchronized (lingeringBySource) {
                lingering.decrementAndGet();
                lingeringBySource.computeIfPresent(source, (a, n) -> n <= 1 ? null : n - 1);
            }
        };
        try {
            timer.schedule(() -> {
                done.run();
                try {
                    InputStreamDrain.drain(plain);
                    plain.close();
                } catch (IOException ignored) {
                    // gone
                }
            }, 500, java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException closing) {
            done.run();
            reset(plain);
        }
    }

    private static final class InputStreamDrain {
        static void drain(Socket s) throws IOException {
            var in = s.getInputStream();
            int n = Math.min(in.available(), 65_536);
            if (n > 0) {
                in.skipNBytes(n);
            }
        }
    }

    private static void reset(Socket s) {
        try {
            s.setSoLinger(true, 0);
            s.close();
        } catch (IOException ignored) {
            // gone
        }
    }

    /** A peer dialed in: authenticate it by its pin, greet, and keep it unless it duplicates a link. */
    private void admit(Socket plain, InetSocketAddress from, LinkTls tls) {
        // The whole handshake and greeting within the handshake timeout: a client trickling a byte
        // at a time would otherwise hold its slot forever, each read being within the timeout.
        java.util.concurrent.ScheduledFuture<?> deadline = null;
        java.util.concurrent.atomic.AtomicBoolean late = new java.util.concurrent.atomic.AtomicBoolean();
        long timeout = settings.handshakeTimeout().toMillis();
        try {
            deadline = timer.schedule(() -> {
                late.set(true);
                reset(plain);
            }, timeout, java.util.concurrent.TimeUnit.MILLISECONDS);
            plain.setSoTimeout((int) timeout);
            plain.setTcpNoDelay(true); // see dialLoop
            SSLSocket s = tls.serverSide(plain);
            s.startHandshake();
            if (plain instanceof AdmissionSocket a) {
                a.handshakeDone();
            }
            s.setSoTimeout(0);
            Pin offered = Pin.of((X509Certificate) s.getSession().getPeerCertificates()[0]);
            Peer peer = peers.stream().filter(p -> p.pins().contains(offered)).findFirst().orElseThrow();
            register(peer, s, false);
            deadline.cancel(false);
        } catch (IOException | ProtocolViolation | RuntimeException e) {
            if (deadline != null) {
                deadline.cancel(false);
            }
            HandshakeFailure failure = HandshakeFailure.of(e);
            boolean key = failure instanceof HandshakeFailure.RefusedHere || failure instanceof HandshakeFailure.RefusedByPeer;
            refusals.refused(from, key ? "key" : "other", late.get()
                    ? "no TLS handshake and HELLO within " + settings.handshakeTimeout().toMillis() + " ms"
                    : refusedHere(from, e));
            try {
                plain.close();
            } catch (IOException ignored) {
                // gone
            }
        }
    }

    /**
     * What an accepted connection's failure says, for the log; a key refused either way is also
     * told to the peer it came from (by its certificate's name, or as the only peer at that address).
     */
    private String refusedHere(InetSocketAddress from, Throwable e) {
        HandshakeFailure f = HandshakeFailure.of(e);
        String at = from.getAddress().getHostAddress() + ":" + from.getPort();
        if (f instanceof HandshakeFailure.RefusedHere r) {
            Pin pin = r.refusal().pin();
            Optional<Peer> peer = peerAt(from, r.refusal().offered());
            peer.ifPresent(p -> events.keyRefused(p, new KeyRefusal(KeyRefusal.RefusedBy.THIS_SIDE, pin, clock.instant(), at)));
            if (pin == null) {
                return "no certificate presented";
            }
            return "this side refused the key " + pin + " (" + r.refusal().offered().getSubjectX500Principal().getName()
                    + "): it is not among the pins " + peer.map(p -> "of " + p.name() + " here " + sorted(p.pins()))
                    .orElse("of any peer here");
        }
        if (f instanceof HandshakeFailure.RefusedByPeer r) {
            peerAt(from, null).ifPresent(p -> events.keyRefused(p,
                    new KeyRefusal(KeyRefusal.RefusedBy.THE_PEER, self.pin(), clock.instant(), at)));
            return theyRefused(r);
        }
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }

    private String theyRefused(HandshakeFailure.RefusedByPeer r) {
        return "the peer refused our key " + self.pin() + ": is it in their pins? (TLS alert " + r.alert() + ")";
    }

    private static List<String> sorted(Set<Pin> pins) {
        return pins.stream().map(Pin::value).sorted().toList();
    }

    private static final java.util.regex.Pattern CN = java.util.regex.Pattern.compile("(?:^|,)CN=([^,]+)");

    /** The peer a connection is from: named in its certificate, else the only one at its address. */
    private Optional<Peer> peerAt(InetSocketAddress from, X509Certificate offered) {
        if (offered != null) {
            var m = CN.matcher(offered.getSubjectX500Principal().getName());
            if (m.find()) {
                String name = m.group(1);
                Optional<Peer> named = peers.stream().filter(p -> p.name().equals(name)).findFirst();
                if (named.isPresent()) {
                    return named;
                }
            }
        }
        List<Peer> at = peersByAddress.getOrDefault(from.getAddress(), List.of());
        return at.size() == 1 ? Optional.of(at.get(0)) : Optional.empty();
    }

    private void dialLoop(Peer peer, LinkTls tls) {
        long backoff = settings.initialBackoff().toMillis();
        while (!closed) {
            LinkSession current = sessions.get(peer.name());
            if (current != null && current.isOpen()) {
                sleep(100);
                backoff = settings.initialBackoff().toMillis();
                continue;
            }
            AdmissionSocket plain = new AdmissionSocket(); // a refused key: read the listener's flight, then close
            try {
                plain.connect(new InetSocketAddress(InetAddress.getByName(peer.host()), peer.port()),
                        (int) settings.connectTimeout().toMillis());
                plain.setSoTimeout((int) settings.handshakeTimeout().toMillis());
                // Every frame is flushed as it is complete; with Nagle's algorithm a small frame
                // (END, RESULT) waits for the ACK of the previous segment, one more round trip
                // per message on a WAN link.
                plain.setTcpNoDelay(true);
                SSLSocket s = tls.clientSide(plain, peer.host());
                s.startHandshake();
                plain.handshakeDone();
                s.setSoTimeout(0);
                register(peer, s, true);
                backoff = settings.initialBackoff().toMillis();
            } catch (IOException | ProtocolViolation e) {
                try {
                    plain.close(); // not a link (a session that started closes itself)
                } catch (IOException ignored) {
                    // gone
                }
                HandshakeFailure f = HandshakeFailure.of(e);
                String at = peer.host() + ":" + peer.port();
                String why;
                boolean refusal = true;
                if (f instanceof HandshakeFailure.RefusedByPeer r) {
                    why = theyRefused(r);
                    events.keyRefused(peer, new KeyRefusal(KeyRefusal.RefusedBy.THE_PEER, self.pin(), clock.instant(), at));
                } else if (f instanceof HandshakeFailure.RefusedHere r) {
                    why = "this side refused the peer's key " + r.refusal().pin() + ": it is not among the pins of "
                            + peer.name() + " here " + sorted(peer.pins());
                    events.keyRefused(peer, new KeyRefusal(KeyRefusal.RefusedBy.THIS_SIDE, r.refusal().pin(),
                            clock.instant(), at));
                } else {
                    refusal = false;
                    why = f instanceof HandshakeFailure.Busy
                            ? "the peer's link port is busy (all its handshake slots are taken: a flood?)"
                            : ((HandshakeFailure.Other) f).message();
                }
                // Busy is no verdict on this side: dial again soon, the next try will likely get in.
                boolean busy = f instanceof HandshakeFailure.Busy;
                long base = busy ? settings.initialBackoff().toMillis() : backoff;
                long wait = base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1);
                if (refusal) {
                    log.warn("link to {} ({}) not up: {}; next try in {} ms", peer.name(), at, why, wait);
                } else {
                    log.info("link to {} ({}) not up: {}; next try in {} ms", peer.name(), at, why, wait);
                }
                events.dialFailed(peer, why);
                sleep(wait);
                backoff = busy ? settings.initialBackoff().toMillis() : Math.min(settings.maxBackoff().toMillis(), backoff * 2);
            }
        }
    }

    /**
     * Greets over an authenticated socket and makes it the peer's link, unless a link already
     * exists and this one loses the tie-break (the connection dialed by the lower pin wins).
     */
    private void register(Peer peer, SSLSocket socket, boolean dialedByUs) throws IOException, ProtocolViolation {
        LinkSession session = LinkSession.start(socket, siteName, settings.session(), link -> {
            link.nameInLogs(peer.name());
            if (dialedByUs) {
                dialed.add(link);
            }
            LinkCourier courier = custodian == null ? null : new LinkCourier(link, peer.name(), custodian,
                    traffic.get(peer.name()));
            if (courier != null) {
                couriers.put(link, courier);
            }
            return new LinkSession.Listener() {
                @Override
                public void frame(LinkSession s, Frame f) {
                    if (courier != null) {
                        courier.frame(s, f);
                    } else {
                        events.frame(peer, s, f);
                    }
                }

                @Override
                public void down(LinkSession s, String reason) {
                    dialed.remove(s);
                    if (courier != null) {
                        couriers.remove(s);
                        courier.down(s, reason);
                    }
                    // A connection the peer closed as the duplicate of one it keeps is no outage:
                    // the kept connection registers here a moment later.
                    if (sessions.remove(peer.name(), s) && !reason.endsWith("duplicate link")) {
                        events.down(peer, reason);
                    }
                }
            };
        }, nanos);
        LinkSession loser = null;
        String why = "duplicate link";
        synchronized (sessions) {
            LinkSession existing = sessions.get(peer.name());
            if (closed) { // admitted or dialed while this endpoint was closing: never take mail for a stopped relay
                loser = session;
                why = "relay stopping";
            } else if (existing != null && existing.isOpen()) {
                String mine = self.pin().value();
                String theirs = peer.pins().stream().map(Pin::value).sorted().findFirst().orElse("");
                // Dialed by the same side as the existing one: that side has given up the old
                // connection (e.g. a NAT box forgot it, and this side has not noticed yet), so the
                // new one replaces it. Dialed by the other side: both dialed at once, the tie-break.
                boolean sameDialer = dialedByUs == dialed.contains(existing);
                boolean keepNew = sameDialer || dialedByUs == (mine.compareTo(theirs) < 0);
                if (keepNew) {
                    loser = existing;
                    sessions.put(peer.name(), session);
                } else {
                    loser = session;
                }
            } else {
                sessions.put(peer.name(), session);
            }
        }
        if (loser != null) {
            sessions.remove(peer.name(), loser);
            loser.close(why, true);
        }
        if (loser != session) {
            events.up(peer, session);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        synchronized (sessions) {
            closed = true;
        }
        dialers.forEach(Thread::interrupt);
        try {
            if (listener != null) {
                listener.close();
            }
        } catch (IOException ignored) {
            // closing
        }
        timer.shutdownNow();
        sessions.values().forEach(s -> s.close("relay stopping", true));
        sessions.clear();
    }
}
