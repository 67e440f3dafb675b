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

    /** Reconnect and session settings. */
    public record Settings(LinkSession.Settings session, Duration initialBackoff, Duration maxBackoff,
                           Duration connectTimeout) {
        public static Settings defaults() {
            return new Settings(LinkSession.Settings.defaults(), Duration.ofSeconds(1), Duration.ofSeconds(60),
                    Duration.ofSeconds(10));
        }
    }

    /** What the relay hears of its links. Called on link threads. */
    public interface Events {
        void up(Peer peer, LinkSession session);

        void down(Peer peer, String reason);

        /** A dial to the peer failed (the link stays down; the next try follows after a backoff). */
        default void dialFailed(Peer peer, String reason) {
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
    private final java.util.concurrent.Semaphore startups = new java.util.concurrent.Semaphore(MAX_STARTUPS);
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
        LinkTls tls = new LinkTls(self, all, (offered, why) ->
                log.warn("link refused a connection: key {} ({})", offered == null ? "none" : offered, why));
        ServerSocket s = new ServerSocket();
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
                LinkTls tls = new LinkTls(self, p.pins(), (offered, why) ->
                        log.warn("link to {}: the server's key {} is not pinned ({})", p.name(), offered, why));
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
            if (!startups.tryAcquire()) {
                log.warn("link from {} refused: {} connections are already being authenticated (a flood?)",
                        plain.getRemoteSocketAddress(), MAX_STARTUPS);
                reset(plain);
                continue;
            }
            Thread t = new Thread(() -> {
                try {
                    admit(plain, tls);
                } finally {
                    startups.release();
                }
            }, "link-admit");
            t.setDaemon(true);
            t.start();
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
    private void admit(Socket plain, LinkTls tls) {
        // The whole handshake and greeting within the hello timeout: a client trickling a byte at
        // a time would otherwise hold its slot forever, each read being within the timeout.
        java.util.concurrent.ScheduledFuture<?> deadline = null;
        try {
            deadline = timer.schedule(() -> reset(plain), settings.session().helloTimeout().toMillis(),
                    java.util.concurrent.TimeUnit.MILLISECONDS);
            plain.setSoTimeout((int) settings.session().helloTimeout().toMillis());
            plain.setTcpNoDelay(true); // see dialLoop
            SSLSocket s = tls.serverSide(plain);
            s.startHandshake();
            s.setSoTimeout(0);
            Pin offered = Pin.of((X509Certificate) s.getSession().getPeerCertificates()[0]);
            Peer peer = peers.stream().filter(p -> p.pins().contains(offered)).findFirst().orElseThrow();
            register(peer, s, false);
            deadline.cancel(false);
        } catch (IOException | ProtocolViolation | RuntimeException e) {
            if (deadline != null) {
                deadline.cancel(false);
            }
            log.info("link from {} not established: {}", plain.getRemoteSocketAddress(), e.getMessage());
            try {
                plain.close();
            } catch (IOException ignored) {
                // gone
            }
        }
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
            try {
                Socket plain = new Socket();
                plain.connect(new InetSocketAddress(InetAddress.getByName(peer.host()), peer.port()),
                        (int) settings.connectTimeout().toMillis());
                plain.setSoTimeout((int) settings.session().helloTimeout().toMillis());
                // Every frame is flushed as it is complete; with Nagle's algorithm a small frame
                // (END, RESULT) waits for the ACK of the previous segment, one more round trip
                // per message on a WAN link.
                plain.setTcpNoDelay(true);
                SSLSocket s = tls.clientSide(plain, peer.host());
                s.startHandshake();
                s.setSoTimeout(0);
                register(peer, s, true);
                backoff = settings.initialBackoff().toMillis();
            } catch (IOException | ProtocolViolation e) {
                long wait = backoff / 2 + ThreadLocalRandom.current().nextLong(backoff / 2 + 1);
                log.info("link to {} ({}:{}) not up: {}; next try in {} ms", peer.name(), peer.host(), peer.port(),
                        e.getMessage(), wait);
                events.dialFailed(peer, e.getMessage());
                sleep(wait);
                backoff = Math.min(settings.maxBackoff().toMillis(), backoff * 2);
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
        });
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
