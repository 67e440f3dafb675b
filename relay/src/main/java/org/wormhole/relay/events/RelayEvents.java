package org.wormhole.relay.events;

import java.util.List;

/**
 * The facts a relay reports as they happen: an SMTP session refused, a message queued or refused, a
 * recipient refused, a failed AUTH, a recipient's delivery attempted, a link up or down, the mailertable swapped, an edit of it rejected
 * or its file unreadable. The Postfix-style log lines are one listener ({@link LoggedEvents}); metrics
 * and tests are others, so each can rely on the same facts, not on log wording (OkHttp's
 * EventListener is the model).
 *
 * <p>Every method has an empty default, so a listener implements only what it needs. Methods are
 * called on the relay's own threads (SMTP sessions, the link's, the mailertable's watcher), right
 * after the fact and before the client is answered where there is a client: they must be quick
 * and must not throw.
 */
public interface RelayEvents {

    /** A listener that ignores everything. */
    RelayEvents NONE = new RelayEvents() {
    };

    /** A message is in the queue (its file committed); the client gets its 250 next. */
    default void messageQueued(MessageQueued e) {
    }

    /** A message's content was refused after DATA (bare CR or LF, NUL, too large...); nothing queued. */
    default void messageRefused(MessageRefused e) {
    }

    /** A recipient was refused at RCPT TO by the relay policy (relaying denied, a malformed address). */
    default void recipientRefused(RecipientRefused e) {
    }

    /** A recipient's outcome of a delivery attempt is known and recorded in its queue file. */
    default void recipientAttempted(RecipientAttempted e) {
    }

    /** An AUTH on the submission listener failed (wrong name or password); the client gets 535 5.7.8 next. */
    default void authenticationFailed(AuthenticationFailed e) {
    }

    /** The link to a peer is up. */
    default void linkUp(LinkCameUp e) {
    }

    /** The link to a peer went down. */
    default void linkDown(LinkWentDown e) {
    }

    /** A version of the mailertable is in use: the one at start, or an edit that loaded. */
    default void tableSwapped(TableSwapped e) {
    }

    /** An edit of the mailertable was rejected whole; the last good version stays in use. */
    default void tableEditRejected(TableEditRejected e) {
    }

    /** The mailertable's file cannot be read; lookups defer until it is back. */
    default void tableUnreadable(TableUnreadable e) {
    }

    /** An SMTP session was refused before any transaction (limits, pregreet, stopping); its client is answered next. */
    default void sessionRefused(SessionRefused e) {
    }

    /** An SMTP session passed the checks before the greeting; its client is greeted next. */
    default void sessionAccepted(SessionAccepted e) {
    }

    /** A connection did not become a link (busy, a key refused either way, a handshake timeout...). */
    default void linkHandshakeRefused(LinkHandshakeRefused e) {
    }

    /** Every event goes to each of {@code listeners}, in order. */
    static RelayEvents all(List<RelayEvents> listeners) {
        List<RelayEvents> copy = List.copyOf(listeners);
        return new RelayEvents() {
            @Override
            public void messageQueued(MessageQueued e) {
                copy.forEach(l -> l.messageQueued(e));
            }

            @Override
            public void messageRefused(MessageRefused e) {
                copy.forEach(l -> l.messageRefused(e));
            }

            @Override
            public void recipientRefused(RecipientRefused e) {
                copy.forEach(l -> l.recipientRefused(e));
            }

            @Override
            public void recipientAttempted(RecipientAttempted e) {
                copy.forEach(l -> l.recipientAttempted(e));
            }

            @Override
            public void authenticationFailed(AuthenticationFailed e) {
                copy.forEach(l -> l.authenticationFailed(e));
            }

            @Override
            public void linkUp(LinkCameUp e) {
                copy.forEach(l -> l.linkUp(e));
            }

            @Override
            public void linkDown(LinkWentDown e) {
                copy.forEach(l -> l.linkDown(e));
            }

            @Override
            public void sessionRefused(SessionRefused e) {
                copy.forEach(l -> l.sessionRefused(e));
            }

            @Override
            public void tableSwapped(TableSwapped e) {
                copy.forEach(l -> l.tableSwapped(e));
            }

            @Override
            public void tableEditRejected(TableEditRejected e) {
                copy.forEach(l -> l.tableEditRejected(e));
            }

            @Override
            public void tableUnreadable(TableUnreadable e) {
                copy.forEach(l -> l.tableUnreadable(e));
            }

            @Override
            public void sessionAccepted(SessionAccepted e) {
                copy.forEach(l -> l.sessionAccepted(e));
            }

            @Override
            public void linkHandshakeRefused(LinkHandshakeRefused e) {
                copy.forEach(l -> l.linkHandshakeRefused(e));
            }
        };
    }
}
