package org.wormhole.relay;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.NoSuchFileException;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.wormhole.link.Pin;
import org.wormhole.link.SiteIdentity;
import org.wormhole.mailertable.MailertableException;
import org.wormhole.mailertable.TableCheck;
import org.wormhole.mailertable.WatchedMailertable;
import org.wormhole.relay.config.DeliveryConfig;
import org.wormhole.relay.config.LogConfig;
import org.wormhole.relay.config.QueueConfig;
import org.wormhole.relay.config.RelayConfig;
import org.wormhole.relay.config.SmtpdConfig;
import org.wormhole.relay.config.SubmissionConfig;
import org.wormhole.relay.control.ControlServer;
import org.wormhole.relay.delivery.DeliveryAgent;
import org.wormhole.relay.delivery.NexthopResolver;
import org.wormhole.relay.delivery.SmtpDeliveryAgent;
import org.wormhole.relay.delivery.smtp.OpportunisticTls;
import org.wormhole.relay.delivery.smtp.SmtpClientOptions;
import org.wormhole.relay.delivery.smtp.TlsMode;
import org.wormhole.relay.events.LoggedEvents;
import org.wormhole.relay.events.RelayEvents;
import org.wormhole.relay.metrics.Readiness;
import org.wormhole.relay.metrics.ReadinessProbe;
import org.wormhole.relay.metrics.RelayMonitoring;
import org.wormhole.relay.peers.ClassicPeers;
import org.wormhole.relay.peers.LinkCustody;
import org.wormhole.relay.peers.LinkLedger;
import org.wormhole.relay.peers.PeerRouteCheck;
import org.wormhole.relay.forward.ForwardedServices;
import org.wormhole.relay.peers.RelayLinks;
import org.wormhole.relay.peers.TsmtpAgent;
import org.wormhole.relay.qmgr.DsnNotifier;
import org.wormhole.relay.qmgr.QueueManager;
import org.wormhole.relay.qmgr.RetryPolicy;
import org.wormhole.relay.queue.FreeSpace;
import org.wormhole.relay.queue.Spool;
import org.wormhole.relay.queue.SpoolLock;
import org.wormhole.relay.queue.SpoolLockedException;
import org.wormhole.relay.reload.ConfigChange;
import org.wormhole.relay.reload.ConfigSource;
import org.wormhole.relay.reload.LiveKeys;
import org.wormhole.relay.reload.ReloadReport;
import org.wormhole.relay.reload.Reloader;
import org.wormhole.relay.smtpd.ClientNames;
import org.wormhole.relay.smtpd.ContentChecks;
import org.wormhole.relay.smtpd.SmtpIngress;
import org.wormhole.relay.smtpd.Submission;
import org.wormhole.relay.smtpd.auth.AuthFailures;
import org.wormhole.relay.smtpd.auth.LiveUsers;
import org.wormhole.relay.smtpd.auth.UsersFileException;
import org.wormhole.relay.smtpd.policy.ClientCertificates;
import org.wormhole.relay.smtpd.policy.RelayPolicy;

/**
 * One running relay: the SMTP listener, the queue, the queue manager with its delivery agents,
 * the live mailertable and the control socket, wired from a {@link RelayConfig}.
 */
public final class Relay implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger("relay");

    private final RelayConfig config; // as started: what the keys that need a restart stay at
    private volatile RelayConfig live; // as last reloaded: what the live keys are at
    private volatile Reloader reloader; // null: not started from a file, nothing to reload
    private volatile String tlsCertificate; // the served certificate's fingerprint; null without TLS
    private final Pin sitePin; // this site's key on the links; null without peers
    private volatile TableCheck peerRoutes; // the table's check against the peers in force (a reload changes them)
    private final DsnNotifier dsn;
    private final WatchedMailertable mailertable;
    private final Spool spool;
    private final QueueManager queue;
    private final SmtpDeliveryAgent smtp;
    private final SmtpDeliveryAgent lmtp;
    private final SmtpIngress ingress;
    private final SmtpIngress submission; // null without submission_listen
    private final ControlServer control;
    private volatile LinkLedger ledger; // null without peers, and until the ledger is read
    private final RelayLinks links; // null without peers
    private volatile ForwardedServices forwarded; // null without services or forwards
    private final ClassicPeers classicPeers; // null without classic peers
    private final FreeSpace freeSpace;
    private final SpoolLock spoolLock;
    private final RelayEvents events;
    private final Clock clock;
    private final ReadinessProbe readiness;
    private final RelayMonitoring monitoring; // null without metrics_listen
    /** What the links hand offers to: the relay's custody once the ledger is read. */
    private final LedgerFirstCustodian custodian = new LedgerFirstCustodian();

    private Relay(RelayConfig config, NexthopResolver resolver, Clock clock, RelayEvents listener)
            throws IOException, MailertableException {
        this.config = config;
        this.live = config;
        this.clock = clock;
        this.monitoring = config.metrics().listen().map(RelayMonitoring::new).orElse(null);
        LoggedEvents logged = config.log().format() == LogConfig.Format.SYSLOG ? LoggedEvents.postfix() : new LoggedEvents();
        this.events = RelayEvents.all(monitoring == null ? List.of(logged, listener)
                : List.of(logged, monitoring.events(), listener));
        // One relay per spool: the lock comes before anything else touches the spool.
        this.spoolLock = SpoolLock.acquire(config.queue().directory());
        try {
            this.mailertable = WatchedMailertable.open(config.mailertable().file(),
                    WatchedMailertable.Timing.DEFAULT.withSettleTime(config.mailertable().settleTime()), clock,
                    peerRoutesAt(config), new TableEvents(events));
        } catch (IOException | MailertableException | RuntimeException e) {
            spoolLock.close();
            throw e;
        }
        SmtpdConfig smtpd = config.smtpd();
        QueueConfig q = config.queue();
        DeliveryConfig d = config.delivery();
        try {
            this.spool = Spool.open(q.directory());
            this.freeSpace = new FreeSpace(q.directory(), q.minfree(),
                    smtpd.messageSizeLimit());
            SmtpClientOptions client = SmtpClientOptions.defaults(config.myhostname())
                    .withTimeouts(d.connectTimeout(), d.commandTimeout(), d.dataDoneTimeout())
                    .withTls(d.tlsSecurityLevel() == RelayConfig.TlsLevel.MAY ? TlsMode.MAY : TlsMode.NONE,
                            OpportunisticTls.socketFactory())
                    .withLineLengthLimit(d.lineLengthLimit());
            this.smtp = new SmtpDeliveryAgent(resolver, client, d.smtpPort(), d.destinationConcurrencyLimit());
            this.lmtp = new SmtpDeliveryAgent(resolver, client.withLmtp(true), d.lmtpPort(),
                    d.destinationConcurrencyLimit());
            SiteIdentity identity = config.peers().isEmpty() ? null : siteIdentity(config);
            this.sitePin = identity == null ? null : identity.pin();
            this.links = identity == null ? null : links(config, identity, clock);
            this.classicPeers = identity == null || config.peers().stream().noneMatch(RelayConfig.PeerConfig::classic)
                    ? null : classicPeers(config, identity, client);
            if (classicPeers != null) {
                links.watch(classicPeers); // their key refusals in 'link status'
            }
            DeliveryAgent tsmtp = links == null ? null
                    : new TsmtpAgent(links, d.dataDoneTimeout());
            this.dsn = new DsnNotifier(spool, config.myhostname(), q.maximalQueueLifetime(), q.delayWarningTime(), clock);
            this.queue = new QueueManager(spool, mailertable::lookup, new RelayAgents(smtp, lmtp, tsmtp, classicPeers,
                    links == null ? route -> false : links::carries),
                    dsn, queueSettings(config, config), clock, events);
            ClientCertificates classicClients = classicClients(config);
            Optional<SSLContext> tls = TlsFiles.serverContext(smtpd.tlsCertFile(), smtpd.tlsKeyFile(), classicClients.asked());
            this.ingress = new SmtpIngress(ingressSettings(config, smtpd.listen()), policy(config, config), spool, freeSpace,
                    queue::enqueued, tls, clock, ClientNames.SYSTEM, events);
            this.submission = config.submission().listen().isEmpty() ? null
                    : new SmtpIngress(ingressSettings(config, config.submission().listen().get()), policy(config, config),
                            spool, freeSpace, queue::enqueued, tls, clock, ClientNames.SYSTEM, events,
                            Optional.of(submission(config.submission(), clock)));
            this.tlsCertificate = smtpd.tlsCertFile().isPresent()
                    ? TlsFiles.certificateFingerprint(smtpd.tlsCertFile().get()) : null;
            this.readiness = new ReadinessProbe(spool, freeSpace, mailertable);
            this.control = new ControlServer(spool.controlSocket(), queue, links, this::reload, readiness::check);
            if (monitoring != null) {
                monitoring.watch(config, queue, freeSpace, mailertable, links, readiness, clock);
            }
        } catch (IOException | RuntimeException e) {
            mailertable.close();
            spoolLock.close();
            throw e;
        }
    }

    /** The classic peers' pins: such a peer's MTA relays through this one by its TLS client certificate. */
    private static ClientCertificates classicClients(RelayConfig config) {
        Map<Pin, String> pins = new LinkedHashMap<>();
        for (RelayConfig.PeerConfig p : config.peers()) {
            if (p.classic()) {
                p.pins().forEach(pin -> pins.putIfAbsent(pin, p.name()));
            }
        }
        return new ClientCertificates(pins);
    }

    /**
     * What an SMTP listener on {@code listen} is built with; {@link SmtpIngress#apply} takes the
     * live part of it on a reload.
     */
    private static SmtpIngress.Settings ingressSettings(RelayConfig config, InetSocketAddress listen) {
        SmtpdConfig smtpd = config.smtpd();
        return new SmtpIngress.Settings(listen, config.myhostname(),
                smtpd.messageSizeLimit(), smtpd.recipientLimit(), smtpd.timeout(), smtpd.connectionLimit(),
                smtpd.pregreetWait(), smtpd.clientLimits(), smtpd.minDataRate(),
                new ContentChecks(smtpd.lineLengthLimit() == 0
                        ? smtpd.messageSizeLimit() : smtpd.lineLengthLimit(),
                        smtpd.forbidNulInContent()));
    }

    /** The submission listener's AUTH: the users file must be there and usable. */
    private static Submission submission(SubmissionConfig c, Clock clock) throws IOException {
        try {
            return new Submission(LiveUsers.open(c.usersFile()), new AuthFailures(c.authFailures(), clock),
                    c.senderLogin());
        } catch (NoSuchFileException e) {
            throw new IOException("submission_listen is set but there is no users file " + c.usersFile()
                    + " (add a user with 'wormhole user add NAME')");
        } catch (UsersFileException e) {
            throw new IOException(String.join("\n", e.problems()));
        }
    }

    /**
     * The relay policy of {@code config}; the classic peers' pins are those of {@code started},
     * the configuration the relay started with (peers need a restart).
     */
    private static RelayPolicy policy(RelayConfig config, RelayConfig started) {
        return new RelayPolicy(config.smtpd().mynetworks(), config.smtpd().relayDomains(), classicClients(started));
    }

    /**
     * The queue manager's settings from {@code config}, with the number of delivery threads of
     * {@code started} (fixed at start).
     */
    private static QueueManager.Settings queueSettings(RelayConfig config, RelayConfig started) {
        QueueConfig q = config.queue();
        DeliveryConfig d = config.delivery();
        return new QueueManager.Settings(q.hopcountLimit(),
                new RetryPolicy(q.minimalBackoff(), q.maximalBackoff()),
                q.maximalQueueLifetime(), q.delayWarningTime(), started.delivery().processLimit(),
                d.destinationConcurrencyLimit(), started.peers().isEmpty() ? 0 : started.delivery().tsmtpConcurrencyLimit());
    }

    /**
     * The relay's check of every version of its table: a {@code tsmtp} route to an unknown peer
     * refuses the table; one pointing at this site itself is logged as a warning.
     */
    private static TableCheck peerRoutes(RelayConfig config) {
        return new PeerRouteCheck(config).warningsTo(w -> log.warn("{}", w));
    }

    /** The check of every version of the table against the peers in force: those of {@code config} until a reload. */
    private TableCheck peerRoutesAt(RelayConfig config) {
        peerRoutes = peerRoutes(config);
        return table -> peerRoutes.errors(table);
    }

    /**
     * Whether a change of {@code peers} can be applied live: the links run (peers were
     * configured at start, and still are) and the classic peers stay as they were (their TLS
     * set-up is made at start).
     */
    private boolean peersLive(RelayConfig next) {
        return links != null && !next.peers().isEmpty()
                && classic(config.peers()).equals(classic(next.peers()));
    }

    private static List<RelayConfig.PeerConfig> classic(List<RelayConfig.PeerConfig> peers) {
        return peers.stream().filter(RelayConfig.PeerConfig::classic).toList();
    }

    /** This site's key, which peers are configured for. */
    private static SiteIdentity siteIdentity(RelayConfig config) throws IOException {
        try {
            return SiteIdentity.load(config.link().keyDirectory());
        } catch (NoSuchFileException e) {
            throw new IOException("peers are configured but there is no site key in " + config.link().keyDirectory()
                    + " (create it with 'wormhole keygen')");
        }
    }

    /** The peers that still run a classic MTA: SMTP over pinned TLS, this site's key as client certificate. */
    private static ClassicPeers classicPeers(RelayConfig config,
            SiteIdentity identity, SmtpClientOptions client) throws IOException {
        try {
            return new ClassicPeers(config.peers(), identity, client);
        } catch (GeneralSecurityException e) {
            throw new IOException("TLS set-up for the classic peers failed: " + e.getMessage(), e);
        }
    }

    /** The links to the configured peers: this site's key, custody (once {@link #openLedger}). */
    private RelayLinks links(RelayConfig config, SiteIdentity identity, Clock clock) {
        // Only the mail for the link that came up: mail deferred for other reasons keeps its backoff.
        return new RelayLinks(config.myhostname(), config.link(), config.peers(), identity, custodian,
                (peer, routes) -> queue.flush("the link to " + peer, routes), clock, events);
    }

    /**
     * The ledger of mail received over the links, rebuilt from every queued file too (so it takes
     * a while on a large backlog), and custody with it: before the links start, after SMTP has.
     */
    private void openLedger() throws IOException {
        ledger = LinkLedger.open(spool,
                config.queue().maximalQueueLifetime().plus(Duration.ofDays(2)), clock.millis());
        custodian.open(new LinkCustody(spool, freeSpace, ledger, id -> queue.enqueued(id),
                config.myhostname(), clock));
    }

    /**
     * Starts a relay: takes the spool's lock (another relay on the spool refuses the start),
     * loads the mailertable (a bad table, or one with a {@code tsmtp} route to a
     * peer that is not configured, refuses the start), accepts SMTP, reads the link ledger,
     * resumes the queue (its files are read in the background), starts the links and opens the
     * control socket.
     *
     * @throws SpoolLockedException another relay runs on the spool
     * @throws MailertableException the mailertable has errors
     * @throws IOException          the spool, listener or control socket could not be set up; a
     *                              listener that cannot bind is named with its address
     *                              ({@code listen 127.0.0.1:25: address already in use})
     */
    public static Relay start(RelayConfig config, NexthopResolver resolver, Clock clock)
            throws IOException, MailertableException {
        return start(config, resolver, clock, RelayEvents.NONE);
    }

    /**
     * As {@link #start(RelayConfig, NexthopResolver, Clock)}, telling {@code listener} what happens
     * (besides the log, which is always written): what metrics and tests observe.
     */
    public static Relay start(RelayConfig config, NexthopResolver resolver, Clock clock, RelayEvents listener)
            throws IOException, MailertableException {
        Relay r = new Relay(config, resolver, clock, listener);
        try {
            // SMTP first: what it receives waits in the queue while the rest starts. Nothing on
            // the way reads every queued file: the queue manager lists them, reads them behind.
            // The queue as it was before any mail comes in: a reception in progress must never be
            // taken for a partial one of the relay before (and removed, after its 250).
            r.queue.listQueue();
            BindFailure.naming("listen " + BindFailure.address(config.smtpd().listen()), r.ingress::start);
            if (r.submission != null) {
                BindFailure.naming("submission_listen " + BindFailure.address(config.submission().listen().get()),
                        r.submission::start);
            }
            if (r.monitoring != null) { // /healthz answers (not ready) while the rest starts
                BindFailure.naming("metrics_listen " + BindFailure.address(config.metrics().listen().orElseThrow()),
                        r.monitoring::start);
            }
            if (r.links != null) {
                r.openLedger(); // before the queue manager moves any file, and before the links take offers
            }
            r.queue.start();
            if (r.links != null) {
                BindFailure.naming("link_listen " + config.link().listen().map(BindFailure::address).orElse("(none)"),
                        r.links::start);
                r.startForwarding();
            }
            BindFailure.naming("control socket " + r.spool.controlSocket(), r.control::start);
            r.readiness.bound(r.listeners());
        } catch (IOException | RuntimeException e) {
            r.close();
            throw e;
        }
        log.info("relay {} started: smtp port {}, queue {}, mailertable {} ({} entries)", config.myhostname(),
                r.smtpPort(), config.queue().directory(), config.mailertable().file(), r.mailertable.status().entries());
        return r;
    }

    /** The forwarded services (the services and forwards blocks), with the links. */
    private void startForwarding() throws IOException {
        if (ForwardedServices.nothingIn(config.forwarding())) {
            return;
        }
        forwarded = new ForwardedServices(config.forwarding(), links::session);
        links.serveStreams(forwarded::requested);
        control.showForwarding(forwarded::status);
        forwarded.start();
    }

    /** The forwarded services, if any are configured. */
    public Optional<ForwardedServices> forwarded() {
        return Optional.ofNullable(forwarded);
    }

    public int smtpPort() {
        return ingress.port();
    }

    /** The submission listener's port (useful with port 0). */
    public Optional<Integer> submissionPort() {
        return Optional.ofNullable(submission).map(SmtpIngress::port);
    }

    /** What is bound, for the readiness check: {@code smtp 127.0.0.1:2525, link ..., metrics ..., control socket ...}. */
    private String listeners() {
        StringBuilder sb = new StringBuilder("smtp ").append(config.smtpd().listen().getAddress().getHostAddress())
                .append(':').append(smtpPort());
        if (submission != null) {
            sb.append(", submission ").append(config.submission().listen().get().getAddress().getHostAddress())
                    .append(':').append(submission.port());
        }
        if (links != null && config.link().listen().isPresent()) {
            sb.append(", link ").append(config.link().listen().get().getAddress().getHostAddress()).append(':')
                    .append(links.linkPort());
        }
        if (monitoring != null) {
            sb.append(", metrics ").append(config.metrics().listen().orElseThrow().getAddress().getHostAddress())
                    .append(':').append(monitoring.port());
        }
        return sb.append(", control socket ").append(spool.controlSocket()).toString();
    }

    /** Whether the relay is ready for mail, check by check ({@code wormhole status}, {@code /healthz}). */
    public Readiness readiness() {
        return readiness.check();
    }

    /** The port of {@code metrics_listen}, if it is set. */
    public OptionalInt metricsPort() {
        return monitoring == null ? OptionalInt.empty() : OptionalInt.of(monitoring.port());
    }

    public QueueManager queue() {
        return queue;
    }

    public Spool spool() {
        return spool;
    }

    public WatchedMailertable mailertable() {
        return mailertable;
    }

    /** The links to the peer sites, if any are configured. */
    public Optional<RelayLinks> links() {
        return Optional.ofNullable(links);
    }

    public RelayConfig config() {
        return config;
    }

    /**
     * From now on {@link #reload} reads {@code source} again, the relay having started from
     * {@code running} (its reading of that file); without it a reload reports that there is
     * nothing to reload. {@code wormhole run} calls it; so can a test.
     */
    public Relay reloadingFrom(ConfigSource source, ConfigSource.Loaded running) {
        this.reloader = new Reloader(source, running);
        return this;
    }

    /**
     * Reads the configuration file again ({@code wormhole reload}, SIGHUP) and applies what can
     * change live ({@link LiveKeys}): SMTP sessions accepted from now on get the new relay policy,
     * limits and TLS certificate, delivery attempts begun from now on the new queue settings;
     * sessions and attempts in progress are not touched, nor is the queue. A change of the link
     * peers is applied to the links ({@link RelayLinks#updatePeers}: only those of the peers added,
     * removed or changed are touched) and to the table's check of its {@code tsmtp} routes. The other
     * changed keys are reported as needing a restart and keep their values. A file with errors,
     * or TLS files that do not load, change nothing. Logged line by line; thread-safe.
     */
    public ReloadReport reload() {
        Reloader r = reloader;
        if (r == null) {
            return ReloadReport.refused(config.source(), List.of(config.source()
                    + ": this relay was not started from a configuration file: nothing to reload"));
        }
        return r.reload(new LiveParts());
    }

    /** The running relay's parts, as a reload changes them. */
    private final class LiveParts implements Reloader.Parts {

        @Override
        public boolean live(String key, RelayConfig next) {
            if (key.equals("smtpd_tls_cert_file") || key.equals("smtpd_tls_key_file")) {
                // STARTTLS offered or not is fixed at start; its certificate is not
                return tlsCertificate != null && next.smtpd().tlsCertFile().isPresent();
            }
            if (key.equals("peers")) {
                return peersLive(next);
            }
            return LiveKeys.isLive(key);
        }

        /**
         * The table in use checked against the file's peers: a {@code tsmtp} route to a peer the
         * file no longer has would refuse the next start, and its mail could only wait and bounce.
         */
        @Override
        public List<String> refusals(RelayConfig next) {
            return new PeerRouteCheck(next).errors(mailertable.current()).stream()
                    .map(e -> e + " (" + next.source() + " no longer has that peer: change the table first)")
                    .toList();
        }

        /**
         * The site key in the file's key directory, when the relay runs links: one replaced there
         * (a rollover) is used from the next start; one that no longer loads would refuse that start.
         */
        @Override
        public List<ConfigChange> restartFound(RelayConfig next) throws IOException {
            if (sitePin == null || next.peers().isEmpty()) {
                return List.of();
            }
            Pin now = siteIdentity(next).pin();
            return now.equals(sitePin) ? List.of()
                    : List.of(new ConfigChange("site key " + next.link().keyDirectory().resolve(SiteIdentity.KEY_FILE),
                            sitePin.value(), now.value()));
        }

        @Override
        public List<ConfigChange> apply(RelayConfig next) throws IOException {
            SmtpdConfig smtpd = next.smtpd();
            boolean tls = tlsCertificate != null && smtpd.tlsCertFile().isPresent();
            // Everything that can fail first: nothing is applied unless all of it loads.
            Optional<SSLContext> context = tls ? TlsFiles.serverContext(smtpd.tlsCertFile(), smtpd.tlsKeyFile(),
                    classicClients(config).asked()) : Optional.empty();
            String certificate = tls ? TlsFiles.certificateFingerprint(smtpd.tlsCertFile().get()) : tlsCertificate;
            if (peersLive(next)) { // changes nothing if it fails; the last that can
                links.updatePeers(next.peers());
                // Only the peers are live: this site's name and link port stay as started.
                peerRoutes = new PeerRouteCheck(next.peers(), config.myhostname(), config.link().listen())
                        .warningsTo(w -> log.warn("{}", w));
            }
            RelayPolicy policy = policy(next, config);
            ingress.apply(ingressSettings(next, config.smtpd().listen()), policy, context);
            if (submission != null) {
                submission.apply(ingressSettings(next, config.submission().listen().get()), policy, context);
            }
            freeSpace.use(next.queue().minfree(), smtpd.messageSizeLimit());
            queue.apply(queueSettings(next, config));
            dsn.times(next.queue().maximalQueueLifetime(), next.queue().delayWarningTime());
            live = next;
            List<ConfigChange> found = new ArrayList<>();
            if (tls && !certificate.equals(tlsCertificate)) {
                found.add(new ConfigChange("smtpd TLS certificate", tlsCertificate, certificate));
            }
            tlsCertificate = certificate;
            return found;
        }
    }

    /**
     * Stops gracefully: no new SMTP sessions ({@code 421 4.3.2}); SMTP transactions in progress,
     * then deliveries in progress, each get {@code shutdown_timeout} to finish; everything else
     * stays queued for the next start.
     */
    @Override
    public void close() {
        log.info("relay stopping");
        readiness.stopping();
        RelayConfig now = live;
        if (submission != null) { // both listeners stop together: a transaction on either may finish
            CompletableFuture<Void> stopped = CompletableFuture.runAsync(() -> submission.shutdown(now.shutdownTimeout()));
            ingress.shutdown(now.shutdownTimeout());
            stopped.join();
        } else {
            ingress.shutdown(now.shutdownTimeout());
        }
        if (forwarded != null) {
            forwarded.close(); // streams cannot outlive the links anyway
        }
        if (links != null) {
            links.close(); // mail in flight on a link stays queued here until its RESULT: nothing is lost
        }
        queue.stop(now.shutdownTimeout());
        if (ledger != null) {
            try {
                ledger.close(); // after the links: no custody commit is running any more
            } catch (IOException e) {
                log.warn("closing the link ledger: {}", e.toString());
            }
        }
        smtp.close();
        lmtp.close();
        if (classicPeers != null) {
            classicPeers.close();
        }
        control.close();
        if (monitoring != null) {
            monitoring.close();
        }
        mailertable.close();
        spoolLock.close();
        log.info("relay stopped");
    }

}
