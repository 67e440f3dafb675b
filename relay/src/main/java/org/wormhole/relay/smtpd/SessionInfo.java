package org.wormhole.relay.smtpd;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.subethamail.smtp.server.Session;

/**
 * Per-session facts SubEthaSMTP does not keep: whether the client said EHLO (ESMTP) or HELO.
 * Entries are dropped at the end of the session. Thread-safe.
 */
final class SessionInfo {

    private final Set<String> esmtp = ConcurrentHashMap.newKeySet();

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

    void ended(Session s) {
        esmtp.remove(s.getSessionId());
    }

    static InetAddress clientAddress(Session s) {
        return ((InetSocketAddress) s.getRemoteAddress()).getAddress();
    }

    /** {@code helo[ip]} as in Postfix logs, or {@code unknown[ip]} before HELO. */
    static String describe(Session s) {
        return s.getHelo().orElse("unknown") + "[" + clientAddress(s).getHostAddress() + "]";
    }
}
