package org.wormhole.relay.smtpd;

import java.io.IOException;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.subethamail.smtp.server.Session;
import org.subethamail.smtp.server.SessionHandler;

/**
 * Runs before the greeting of every session: refuses new sessions while the relay stops, and
 * disconnects a client that talks before the greeting (Postfix postscreen's pregreet test:
 * spam engines that do not wait for the server).
 */
final class SessionGuard implements SessionHandler {

    private static final Logger log = LoggerFactory.getLogger("smtpd");

    private final Duration pregreetWait;
    private final SessionInfo sessions;
    private volatile boolean stopping;

    SessionGuard(Duration pregreetWait, SessionInfo sessions) {
        this.pregreetWait = pregreetWait;
        this.sessions = sessions;
    }

    void stopAccepting() {
        stopping = true;
    }

    @Override
    public SessionAcceptance accept(Session s) {
        String client = s.getRemoteAddress().getAddress().getHostAddress();
        if (stopping) {
            return SessionAcceptance.failure(421, "4.3.2 Service shutting down, try again later");
        }
        if (!pregreetWait.isZero()) {
            try {
                Thread.sleep(pregreetWait.toMillis());
                if (s.getRawInput().available() > 0) {
                    log.info("PREGREET from [{}]: client talked before the greeting; disconnected", client);
                    return SessionAcceptance.failure(554, "5.5.1 Protocol error: talked before the greeting");
                }
            } catch (IOException e) {
                return SessionAcceptance.failure(421, "4.3.0 Error: try again later");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return SessionAcceptance.failure(421, "4.3.2 Service shutting down, try again later");
            }
        }
        sessions.connected(s);
        log.debug("connect from {}", sessions.client(s));
        return SessionAcceptance.success();
    }

    @Override
    public void onSessionEnd(Session s) {
        sessions.ended(s);
    }
}
