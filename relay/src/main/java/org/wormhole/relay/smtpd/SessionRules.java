package org.wormhole.relay.smtpd;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.subethamail.smtp.server.Session;

/**
 * The rules in force ({@link SmtpdRules}) and the ones each open session began with: a session
 * takes the current rules when it is accepted and keeps them to its end, whatever a reload
 * changes meanwhile. Thread-safe.
 */
final class SessionRules {

    private volatile SmtpdRules current;
    private final Map<String, SmtpdRules> bySession = new ConcurrentHashMap<>();

    SessionRules(SmtpdRules initial) {
        this.current = initial;
    }

    /** The rules a session accepted from now on gets. */
    SmtpdRules current() {
        return current;
    }

    /** New sessions get {@code rules}; open ones keep theirs. */
    void replace(SmtpdRules rules) {
        current = rules;
    }

    /** Session {@code s} was accepted: it keeps the current rules to its end. */
    void began(Session s) {
        bySession.put(s.getSessionId(), current);
    }

    /** The rules session {@code s} began with (the current ones for a session not yet accepted). */
    SmtpdRules of(Session s) {
        return bySession.getOrDefault(s.getSessionId(), current);
    }

    void ended(Session s) {
        bySession.remove(s.getSessionId());
    }
}
