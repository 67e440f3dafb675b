package org.wormhole.relay.smtpd;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.subethamail.smtp.server.Session;

/**
 * Per-session facts SubEthaSMTP does not keep: whether the client said EHLO (ESMTP) or HELO, the
 * client's verified name, its login (AUTH), and the last command it sent (for {@code lost connection after CMD}).
 * Entries are dropped at the end of the session. Thread-safe.
 */
final class SessionInfo {

    private static final Logger log = LoggerFactory.getLogger("smtpd");

    /** The phase before the client's first command, as Postfix names it. */
    static final String CONNECT = "CONNECT";
    /** The phase after a message was accepted, as Postfix names it. */
    static final String END_OF_MESSAGE = "END-OF-MESSAGE";

    private final Set<String> esmtp = ConcurrentHashMap.newKeySet();
    private final Map<String, String> phase = new ConcurrentHashMap<>();
    private final Set<String> lost = ConcurrentHashMap.newKeySet();
    private volatile boolean closingAll;
    private final Map<String, String> names = new ConcurrentHashMap<>();
    private final Map<String, Login> logins = new ConcurrentHashMap<>();
    private final Map<String, String> certifiedPeers = new ConcurrentHashMap<>();
    private final ClientNames clientNames;

    SessionInfo(ClientNames clientNames) {
        this.clientNames = clientNames;
    }

    /** Looks up the client's name (reverse DNS, forward-confirmed) once, at connect. */
    void connected(Session s) {
        String name;
        try {
            name = clientNames.verifiedName(clientAddress(s)).orElse(UNKNOWN);
        } catch (RuntimeException e) {
            name = UNKNOWN;
        }
        names.put(s.getSessionId(), name);
    }

    /** {@code name[ip]} as Postfix logs a client: its verified name, or {@code unknown[ip]}. */
    String client(Session s) {
        return names.getOrDefault(s.getSessionId(), UNKNOWN) + "[" + clientAddress(s).getHostAddress() + "]";
    }

    private static final String UNKNOWN = "unknown";

    void saidEhlo(Session s, boolean ehlo) {
        if (ehlo) {
            esmtp.add(s.getSessionId());
        } else {
            esmtp.remove(s.getSessionId());
        }
    }

    boolean isEsmtp(Session s) {
        return esmtp.contains(s.getSessionId());
    }

    /** The session is now in {@code verb} (a command name, or one of the phases above). */
    void phase(Session s, String verb) {
        phase.put(s.getSessionId(), verb);
    }

    /**
     * The client dropped the connection (end of stream or reset while we read): one INFO line,
     * as Postfix's {@code lost connection after DATA from host[addr]}, and the session ends
     * without a stack trace; nothing after QUIT. Called on the session's thread; logs once per
     * session, however many layers (socket, TLS, DATA) notice.
     */
    void lost(Session s) {
        // After QUIT the client may go as it likes: one that drops TCP without TLS's close_notify
        // (swaks does) while we close our side was not lost.
        if (!closingAll && !"QUIT".equals(phase.get(s.getSessionId())) && lost.add(s.getSessionId())) {
            log.info("lost connection after {} from {}", phase.getOrDefault(s.getSessionId(), CONNECT), client(s));
        }
        s.quit(); // ends the session quietly: SubEthaSMTP logs nothing for a session that is quitting
    }

    /** True once {@link #lost} was called for this session. */
    boolean wasLost(Session s) {
        return lost.contains(s.getSessionId());
    }

    /** The listener closes every session now: a session that ends from here on was not lost by its client. */
    void closingAll() {
        closingAll = true;
    }

    /** The session's AUTH succeeded (it lasts to the end of the session). */
    void loggedIn(Session s, Login login) {
        logins.put(s.getSessionId(), login);
    }

    /** The session's login, if it authenticated. */
    Optional<Login> login(Session s) {
        return Optional.ofNullable(logins.get(s.getSessionId()));
    }

    /** The client's STARTTLS certificate has the pinned key of classic peer {@code peer}. */
    void certifiedPeer(Session s, String peer) {
        certifiedPeers.put(s.getSessionId(), peer);
    }

    /** True if the session may relay as mynetworks may: logged in, or a classic peer by its certificate. */
    boolean authenticated(Session s) {
        return logins.containsKey(s.getSessionId()) || certifiedPeers.containsKey(s.getSessionId());
    }

    void ended(Session s) {
        esmtp.remove(s.getSessionId());
        logins.remove(s.getSessionId());
        certifiedPeers.remove(s.getSessionId());
        phase.remove(s.getSessionId());
        lost.remove(s.getSessionId());
        names.remove(s.getSessionId());
    }

    static InetAddress clientAddress(Session s) {
        return ((InetSocketAddress) s.getRemoteAddress()).getAddress();
    }

    /** {@code helo[ip]}, or {@code unknown[ip]} before HELO: how a message came in, for its queue file. */
    static String heloAndAddress(Session s) {
        return s.getHelo().orElse("unknown") + "[" + clientAddress(s).getHostAddress() + "]";
    }
}
