package org.wormhole.link;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.UnknownHostException;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import javax.net.ssl.SSLSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.wormhole.link.wire.ProtocolViolation;

/**
 * An endpoint's listening port: accepts connections from the configured peers, each within
 * handshake slots (as sshd's MaxStartups and PerSourceMaxStartups; a full listener answers with
 * the busy signal), its TLS handshake and HELLO within the handshake timeout, the peer known by
 * the pin it presents; refusals logged rate-limited per source address. An authenticated peer's
 * connection goes to the {@link SessionRegistry}.
 *
 * <p>Longer than our classes usually are: most of it is the refusal's wording (which side refused
 * which key, and why, in one sentence an operator can act on), kept next to the handshake it
 * describes. *
 * <p>Thread-safe.
 */
final class LinkListener {

    private static final Logger log = LoggerFactory.getLogger("link");

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
    private final Map<InetAddress, Integer> lingeringBySource = new HashMap<>();
    /**
     * The busy signal (PROTOCOL.md, "Transport"): a TLS plaintext record with a fatal
     * {@code user_canceled} alert, in answer to the ClientHello.
     */
    static final byte[] BUSY_ALERT = {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x5a};
    private final SiteIdentity self;
    private final LinkEndpoint.Settings settings;
    private final SessionRegistry registry;
    private final LinkEndpoint.Events events;
    private final Clock clock;
    private final RefusalLog refusals;
    /**
     * What a handshake is admitted by: the peers, the TLS that trusts their pins, their addresses
     * (each with handshake slots of its own); replaced whole when the peers change.
     */
    record Admission(List<LinkEndpoint.Peer> peers, LinkTls tls, Map<InetAddress, List<LinkEndpoint.Peer>> peersByAddress,
                     StartupSlots startups) {
    }

    private volatile Admission admission; // set by listen
    private final AtomicInteger lingering = new AtomicInteger();
    private final ScheduledExecutorService timer =
            Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "link-admit-deadline");
                t.setDaemon(true);
                return t;
            });
    private volatile ServerSocket listener;

    LinkListener(SiteIdentity self, LinkEndpoint.Settings settings, SessionRegistry registry, LinkEndpoint.Events events,
                 Clock clock) {
        this.self = self;
        this.settings = settings;
        this.registry = registry;
        this.events = events;
        this.clock = clock;
        this.refusals = new RefusalLog(clock, REFUSAL_LOG_INTERVAL, 1000, line -> log.warn("{}", line));
    }

    /**
     * The admission of handshakes from {@code peers}: the TLS that trusts all their pins, their
     * addresses (looked up now; one that does not resolve shares the slots of strangers).
     *
     * @throws GeneralSecurityException the TLS set-up failed
     */
    Admission admissionFor(List<LinkEndpoint.Peer> peers) throws GeneralSecurityException {
        Set<Pin> all = new HashSet<>();
        peers.forEach(p -> all.addAll(p.pins()));
        // Refusals are logged by admit(), rate-limited per source address.
        LinkTls tls = new LinkTls(self, all, (offered, why) -> { });
        Map<InetAddress, List<LinkEndpoint.Peer>> byAddress = new HashMap<>();
        for (LinkEndpoint.Peer p : peers) {
            try {
                for (InetAddress a : InetAddress.getAllByName(p.host())) {
                    byAddress.computeIfAbsent(a, x -> new ArrayList<>()).add(p);
                }
            } catch (UnknownHostException e) {
                log.info("link: peer {}'s address {} does not resolve; its handshakes share the slots of strangers",
                        p.name(), p.host());
            }
        }
        byAddress.replaceAll((a, list) -> List.copyOf(list));
        return new Admission(List.copyOf(peers), tls, Map.copyOf(byAddress),
                new StartupSlots(MAX_STARTUPS, MAX_STARTUPS_PER_SOURCE, Set.copyOf(byAddress.keySet())));
    }

    /**
     * Admits the next handshakes by {@code next}; those under way finish with the admission they
     * began with (the registry refuses a peer they authenticate that changed meanwhile).
     */
    void use(Admission next) {
        admission = next;
    }

    /** Accepts links on {@code address} (port 0: any free port) from the peers {@code first} admits. */
    void listen(InetSocketAddress address, Admission first) throws IOException {
        admission = first;
        timer.scheduleAtFixedRate(refusals::flush, 5, 5, TimeUnit.SECONDS);
        ServerSocket s = new AdmissionSocket.Listener();
        s.bind(address, 50);
        listener = s;
        Thread t = new Thread(() -> acceptLoop(s), "link-accept");
        t.setDaemon(true);
        t.start();
        log.info("link listening on {}:{}", address.getAddress().getHostAddress(), s.getLocalPort());
    }

    int boundPort() {
        return listener.getLocalPort();
    }

    private void acceptLoop(ServerSocket s) {
        while (!registry.isClosed()) {
            Socket plain;
            try {
                plain = s.accept();
            } catch (IOException e) {
                if (!registry.isClosed() && !s.isClosed()) { // closed: the endpoint is stopping, listener first
                    log.warn("link accept failed: {}", e.toString());
                }
                return;
            }
            InetSocketAddress from = (InetSocketAddress) plain.getRemoteSocketAddress();
            Admission admitting = admission;
            StartupSlots slots = admitting.startups();
            StartupSlots.Verdict verdict = slots.take(from.getAddress());
            if (verdict instanceof StartupSlots.Busy busy) {
                events.handshakeRefused(HandshakeRefusal.BUSY);
                refusals.refused(from, "busy", busy.why());
                sayBusy(plain);
                continue;
            }
            StartupSlots.Taken slot = (StartupSlots.Taken) verdict;
            Thread t = new Thread(() -> {
                try {
                    admit(plain, from, admitting);
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
            }, 500, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closing) {
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
    private void admit(Socket plain, InetSocketAddress from, Admission admitting) {
        // The whole handshake and greeting within the handshake timeout: a client trickling a byte
        // at a time would otherwise hold its slot forever, each read being within the timeout.
        ScheduledFuture<?> deadline = null;
        AtomicBoolean late = new AtomicBoolean();
        long timeout = settings.handshakeTimeout().toMillis();
        try {
            deadline = timer.schedule(() -> {
                late.set(true);
                reset(plain);
            }, timeout, TimeUnit.MILLISECONDS);
            plain.setSoTimeout((int) timeout);
            plain.setTcpNoDelay(true); // see dialLoop
            SSLSocket s = admitting.tls().serverSide(plain);
            s.startHandshake();
            if (plain instanceof AdmissionSocket a) {
                a.handshakeDone();
            }
            s.setSoTimeout(0);
            Pin offered = Pin.of((X509Certificate) s.getSession().getPeerCertificates()[0]);
            LinkEndpoint.Peer peer = admitting.peers().stream().filter(p -> p.pins().contains(offered)).findFirst()
                    .orElseThrow();
            registry.register(peer, s, false);
            deadline.cancel(false);
        } catch (IOException | ProtocolViolation | RuntimeException e) {
            if (deadline != null) {
                deadline.cancel(false);
            }
            HandshakeFailure failure = HandshakeFailure.of(e);
            boolean key = failure instanceof HandshakeFailure.RefusedHere || failure instanceof HandshakeFailure.RefusedByPeer;
            events.handshakeRefused(HandshakeRefusal.of(failure, late.get()));
            refusals.refused(from, key ? "key" : "other", late.get()
                    ? "no TLS handshake and HELLO within " + settings.handshakeTimeout().toMillis() + " ms"
                    : refusedHere(from, e, admitting));
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
    private String refusedHere(InetSocketAddress from, Throwable e, Admission admitting) {
        HandshakeFailure f = HandshakeFailure.of(e);
        String at = from.getAddress().getHostAddress() + ":" + from.getPort();
        if (f instanceof HandshakeFailure.RefusedHere r) {
            Pin pin = r.refusal().pin();
            Optional<LinkEndpoint.Peer> peer = peerAt(from, r.refusal().offered(), admitting);
            peer.ifPresent(p -> events.keyRefused(p, new KeyRefusal(KeyRefusal.RefusedBy.THIS_SIDE, pin, clock.instant(), at)));
            if (pin == null) {
                return "no certificate presented";
            }
            return "this side refused the key " + pin + " (" + r.refusal().offered().getSubjectX500Principal().getName()
                    + "): it is not among the pins " + peer.map(p -> "of " + p.name() + " here " + RefusalReasons.sorted(p.pins()))
                    .orElse("of any peer here");
        }
        if (f instanceof HandshakeFailure.RefusedByPeer r) {
            peerAt(from, null, admitting).ifPresent(p -> events.keyRefused(p,
                    new KeyRefusal(KeyRefusal.RefusedBy.THE_PEER, self.pin(), clock.instant(), at)));
            return RefusalReasons.theyRefused(self, r);
        }
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }

    private static final Pattern CN = Pattern.compile("(?:^|,)CN=([^,]+)");

    /** The peer a connection is from: named in its certificate, else the only one at its address. */
    private static Optional<LinkEndpoint.Peer> peerAt(InetSocketAddress from, X509Certificate offered, Admission admitting) {
        if (offered != null) {
            var m = CN.matcher(offered.getSubjectX500Principal().getName());
            if (m.find()) {
                String name = m.group(1);
                Optional<LinkEndpoint.Peer> named = admitting.peers().stream().filter(p -> p.name().equals(name)).findFirst();
                if (named.isPresent()) {
                    return named;
                }
            }
        }
        List<LinkEndpoint.Peer> at = admitting.peersByAddress().getOrDefault(from.getAddress(), List.of());
        return at.size() == 1 ? Optional.of(at.get(0)) : Optional.empty();
    }

    /** Stops accepting (the registry, closed first, keeps no connection admitted meanwhile). */
    void close() {
        try {
            if (listener != null) {
                listener.close();
            }
        } catch (IOException ignored) {
            // closing
        }
        timer.shutdownNow();
    }
}
