package org.wormhole.relay.smtpd;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.subethamail.smtp.server.Session;
import org.subethamail.smtp.server.SessionHandler;
import org.wormhole.relay.events.RelayEvents;
import org.wormhole.relay.events.SessionAccepted;
import org.wormhole.relay.events.SessionRefused;

/**
 * Runs before the greeting of every session and at its end: refuses new sessions while the relay
 * stops, applies the per-client limits ({@link ClientLimits}), and disconnects a client that talks
 * before the greeting (Postfix postscreen's pregreet test: spam engines that do not wait for the
 * server). Each refusal is reported to the events ({@link SessionRefused}) before the client is
 * answered. Also counts the mail transactions in progress, so that a stop can wait for them.
 * Thread-safe.
 */
final class SessionGuard implements SessionHandler {

    private static final Logger log = LoggerFactory.getLogger("smtpd");

    static final String SHUTTING_DOWN = "4.3.2 Service shutting down, try again later";

    private volatile Duration pregreetWait;
    private final SessionInfo sessions;
    private final SessionRules rules;
    private final ClientLimits limits;
    private final RelayEvents events;
    private volatile boolean stopping;
    private int openTransactions; // guarded by this

    SessionGuard(Duration pregreetWait, SessionInfo sessions, SessionRules rules, ClientLimits limits, RelayEvents events) {
        this.pregreetWait = pregreetWait;
        this.sessions = sessions;
        this.rules = rules;
        this.limits = limits;
        this.events = events;
    }

    /** Sessions accepted from now on wait {@code wait} for a client that talks too early. */
    void pregreetWait(Duration wait) {
        pregreetWait = wait;
    }

    void stopAccepting() {
        stopping = true;
    }

    /** True once the relay stops: no new session, no new transaction. */
    boolean stopping() {
        return stopping;
    }

    /** A mail transaction began (MAIL was accepted). */
    synchronized void transactionOpened() {
        openTransactions++;
    }

    /** A mail transaction ended: its message was accepted or refused, RSET, or the session ended. */
    synchronized void transactionClosed() {
        openTransactions--;
        notifyAll();
    }

    /**
     * Waits until no mail transaction is in progress, or {@code timeout} has passed.
     *
     * @return the number of transactions still in progress (0: all finished)
     */
    synchronized int awaitTransactions(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (openTransactions > 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return openTransactions;
    }

    @Override
    public SessionAcceptance accept(Session s) {
        InetAddress client = SessionInfo.clientAddress(s);
        if (stopping) {
            return refused(client, SessionRefused.Reason.SHUTTING_DOWN, 421, SHUTTING_DOWN);
        }
        Optional<ClientLimits.Refusal> refusal = limits.admit(client);
        if (refusal.isPresent()) {
            return refused(client, refusal.get().reason(), 421, refusal.get().text());
        }
        Optional<SessionAcceptance> pregreet = pregreet(s, client, pregreetWait);
        if (pregreet.isPresent()) {
            limits.release(client);
            return pregreet.get();
        }
        if (s.getSocket() instanceof ClientSocket socket) {
            socket.onLost(() -> sessions.lost(s));
        }
        sessions.connected(s);
        rules.began(s);
        events.sessionAccepted(new SessionAccepted(client.getHostAddress()));
        log.debug("connect from {}", sessions.client(s));
        return SessionAcceptance.success();
    }

    private Optional<SessionAcceptance> pregreet(Session s, InetAddress client, Duration pregreetWait) {
        if (pregreetWait.isZero()) {
            return Optional.empty();
        }
        try {
            Thread.sleep(pregreetWait.toMillis());
            if (s.getRawInput().available() > 0) {
                return Optional.of(refused(client, SessionRefused.Reason.PREGREET, 554,
                        "5.5.1 Protocol error: talked before the greeting"));
            }
            return Optional.empty();
        } catch (IOException e) {
            // The session's input was closed during the wait: the relay stopping closes every session.
            return Optional.of(refused(client, SessionRefused.Reason.CLOSED_DURING_PREGREET, 421,
                    "4.3.0 Error: try again later"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of(SessionAcceptance.failure(421, SHUTTING_DOWN));
        }
    }

    /** Reports the refusal, then answers the client with it. */
    private SessionAcceptance refused(InetAddress client, SessionRefused.Reason reason, int code, String text) {
        events.sessionRefused(new SessionRefused(client.getHostAddress(), reason, code + " " + text));
        return SessionAcceptance.failure(code, text);
    }

    @Override
    public void onSessionEnd(Session s) {
        limits.release(SessionInfo.clientAddress(s));
        sessions.ended(s);
        rules.ended(s);
    }
}
