package org.wormhole.relay.smtpd;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.subethamail.smtp.internal.server.CommandHandler;
import org.subethamail.smtp.server.SMTPServer;
import org.wormhole.relay.events.LoggedEvents;
import org.wormhole.relay.events.RelayEvents;
import org.wormhole.relay.queue.FreeSpace;
import org.wormhole.relay.queue.QueueId;
import org.wormhole.relay.queue.Spool;
import org.wormhole.relay.smtpd.policy.RelayPolicy;

/**
 * The relay's SMTP listener (Postfix's smtpd), built on SubEthaSMTP: its sockets, threads,
 * command dispatch and STARTTLS, with our own MAIL, RCPT and DATA (strict end of data, streaming
 * into the queue, enhanced status codes) and an honest EHLO. Around them: per-client limits
 * ({@link ClientLimits}), a deadline for each DATA phase ({@link DataDeadline}), a graceful
 * {@link #shutdown}, and one log line for a client that goes away ({@link ClientSocket}). The
 * submission listener is another instance, with AUTH ({@link Submission}).
 */
public final class SmtpIngress implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger("smtpd");

    /**
     * The listener's settings, from the relay configuration.
     *
     * @param clientLimits per client address: sessions at once and new connections per time unit
     *                     (clients in mynetworks are exempt)
     * @param minDataRate  smtpd_min_data_rate: the DATA phase as a whole must finish within
     *                     idleTimeout plus one second per this many octets (see {@link DataDeadline})
     */
    public record Settings(InetSocketAddress listen, String myhostname, long sizeLimit, int recipientLimit,
                           Duration idleTimeout, int connectionLimit, Duration pregreetWait,
                           ClientLimits.Settings clientLimits, long minDataRate, ContentChecks contentChecks) {
    }

    private final SMTPServer server;
    private final SessionRules rules;
    private final ClientLimits clientLimits;
    private final AtomicReference<SSLContext> tlsContext;
    private final SessionGuard guard;
    private final DataDeadline.Watchdog dataDeadlines;
    private final SessionInfo sessions;
    private final boolean submission;

    public SmtpIngress(Settings settings, RelayPolicy policy, Spool spool, FreeSpace freeSpace, Consumer<QueueId> onQueued,
                       Optional<SSLContext> tls, Clock clock) {
        this(settings, policy, spool, freeSpace, onQueued, tls, clock, ClientNames.SYSTEM);
    }

    /** As above, with the lookup of client names for the log ({@link ClientNames#SYSTEM} in a relay). */
    public SmtpIngress(Settings settings, RelayPolicy policy, Spool spool, FreeSpace freeSpace, Consumer<QueueId> onQueued,
                       Optional<SSLContext> tls, Clock clock, ClientNames clientNames) {
        this(settings, policy, spool, freeSpace, onQueued, tls, clock, clientNames, new LoggedEvents());
    }

    /**
     * As above, reporting what happens to {@code events} (sessions refused, messages queued and
     * refused, recipients refused); the log lines are {@link LoggedEvents}, which {@code events} should include.
     */
    public SmtpIngress(Settings settings, RelayPolicy policy, Spool spool, FreeSpace freeSpace, Consumer<QueueId> onQueued,
                       Optional<SSLContext> tls, Clock clock, ClientNames clientNames, RelayEvents events) {
        this(settings, policy, spool, freeSpace, onQueued, tls, clock, clientNames, events, Optional.empty());
    }

    /**
     * As above; with {@code submission}, a submission listener (port 587): STARTTLS, then AUTH,
     * before any mail ({@link Submission}). {@code tls} must then be present.
     */
    public SmtpIngress(Settings settings, RelayPolicy policy, Spool spool, FreeSpace freeSpace, Consumer<QueueId> onQueued,
                       Optional<SSLContext> tls, Clock clock, ClientNames clientNames, RelayEvents events,
                       Optional<Submission> submission) {
        if (submission.isPresent() && tls.isEmpty()) {
            throw new IllegalArgumentException("a submission listener needs TLS: AUTH is only offered inside it");
        }
        this.submission = submission.isPresent();
        SessionInfo sessions = new SessionInfo(clientNames);
        this.sessions = sessions;
        this.dataDeadlines = new DataDeadline.Watchdog(
                new DataDeadline.Settings(settings.idleTimeout(), settings.minDataRate()), clock);
        this.rules = new SessionRules(rules(settings, policy));
        this.clientLimits = new ClientLimits(settings.clientLimits(), c -> rules.current().policy().inMynetworks(c), clock);
        this.guard = new SessionGuard(settings.pregreetWait(), sessions, rules, clientLimits, events);
        this.tlsContext = new AtomicReference<>(tls.orElse(null));
        IngressContext ctx = new IngressContext(settings.myhostname(), rules, tls.isPresent(), spool, freeSpace,
                onQueued, clock, sessions, dataDeadlines, events, submission);
        SMTPServer.Builder b = SMTPServer.port(settings.listen().getPort())
                .bindAddress(settings.listen().getAddress())
                .hostName(settings.myhostname())
                .softwareName("Wormhole")
                .messageHandlerFactory(context -> new IngressTransaction(context, guard))
                .maxConnections(settings.connectionLimit())
                .connectionTimeoutMs((int) Math.min(Integer.MAX_VALUE, settings.idleTimeout().toMillis()))
                .maxRecipients(settings.recipientLimit())
                .maxMessageSize((int) Math.min(Integer.MAX_VALUE, settings.sizeLimit()))
                .insertReceivedHeaders(false)
                .sessionHandler(guard)
                .serverSocketFactory(NoDelayServerSocket::new);
        tls.ifPresent(initial -> b.enableTLS(true).startTlsSocketFactory(socket -> {
            InetSocketAddress remote = (InetSocketAddress) socket.getRemoteSocketAddress();
            SSLSocket s = (SSLSocket) tlsContext.get().getSocketFactory().createSocket(socket, remote.getHostString(),
                    socket.getPort(), true);
            s.setUseClientMode(false);
            if (policy.clientCertificates().asked() && submission.isEmpty()) {
                s.setWantClientAuth(true); // a classic peer is known by its certificate's pinned key
            }
            s.setEnabledProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
            return s;
        }));
        this.server = b.build();
        CommandHandler commands = server.getCommandHandler();
        commands.addCommand(new EhloCommand(ctx, true));
        commands.addCommand(new EhloCommand(ctx, false));
        commands.addCommand(new MailCommand(ctx));
        commands.addCommand(new RcptCommand(ctx));
        commands.addCommand(new DataCommand(ctx));
        commands.addCommand(new StartTlsCommand(ctx));
        commands.addCommand(new AuthCommand(ctx));
        commands.addCommand(new BdatCommand());
        commands.addCommand(new RsetCommand());
        commands.addCommand(new QuitCommand());
        commands.addCommand(new FixedReplyCommand("NOOP", "250 2.0.0 Ok"));
        commands.addCommand(new FixedReplyCommand("VRFY", "252 2.0.0 Cannot VRFY user; send mail and we will try"));
        commands.addCommand(new FixedReplyCommand("EXPN", "502 5.5.1 Error: EXPN is not supported"));
        commands.addCommand(new FixedReplyCommand("HELP", "214 2.0.0 See RFC 5321"));
        for (String verb : List.copyOf(commands.getVerbs())) {
            commands.addCommand(new GuardedCommand(commands.getCommand(verb), guard, sessions));
        }
    }

    private static SmtpdRules rules(Settings settings, RelayPolicy policy) {
        return new SmtpdRules(policy, settings.sizeLimit(), settings.recipientLimit(), settings.contentChecks());
    }

    /**
     * Applies a reloaded configuration to the sessions accepted from now on: the relay policy,
     * the size and recipient limits, the content checks, the per-client limits and the pregreet
     * wait. A session in progress keeps the policy and limits it began with. A STARTTLS from now
     * on is served with {@code tls} (when the listener was started with TLS; whether STARTTLS is
     * offered at all is fixed at start). What SubEthaSMTP fixes when the listener is built
     * ({@code listen}, {@code myhostname}, the idle timeout, the connection limit) and the DATA
     * deadlines ({@code smtpd_min_data_rate}) are not changed: they need a restart, and the relay
     * says so. Thread-safe.
     */
    public void apply(Settings settings, RelayPolicy policy, Optional<SSLContext> tls) {
        rules.replace(rules(settings, policy));
        clientLimits.use(settings.clientLimits());
        guard.pregreetWait(settings.pregreetWait());
        if (tlsContext.get() != null) {
            tls.ifPresent(tlsContext::set);
        }
    }

    /** Binds the listener and starts accepting. */
    public void start() {
        server.start();
        log.info("{}listening on {}:{}", submission ? "submission: " : "",
                server.getBindAddress().map(a -> a.getHostAddress()).orElse("*"), port());
    }

    /** The bound port (useful with port 0). */
    public int port() {
        return server.getPortAllocated();
    }

    /**
     * Stops gracefully: new sessions get {@code 421 4.3.2}; a mail transaction in progress (MAIL
     * to the end of DATA) may finish within {@code timeout}, so that a message already sent gets
     * its 250 and is not sent again by a retrying client; any other command gets
     * {@code 421 4.3.2}. Then closes the listener and every session: a transaction still open
     * then is aborted (nothing of it is queued) and its client retries later.
     */
    public void shutdown(Duration timeout) {
        guard.stopAccepting();
        try {
            int open = guard.awaitTransactions(timeout);
            if (open > 0) {
                log.warn("{} SMTP transaction(s) still in progress after {}s: closed, their clients will retry", open,
                        timeout.toSeconds());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        sessions.closingAll();
        server.stop();
        dataDeadlines.close();
    }

    /** Closes the listener and every session at once: a transaction in progress is aborted. */
    @Override
    public void close() {
        guard.stopAccepting();
        sessions.closingAll();
        server.stop();
        dataDeadlines.close();
    }

    /**
     * Accepts {@link ClientSocket}s, with TCP_NODELAY: without it a pipelining client waits
     * ~40 ms per reply.
     */
    private static final class NoDelayServerSocket extends ServerSocket {
        NoDelayServerSocket() throws IOException {
            super();
        }

        @Override
        public Socket accept() throws IOException {
            Socket s = new ClientSocket();
            implAccept(s);
            s.setTcpNoDelay(true);
            return s;
        }
    }
}
