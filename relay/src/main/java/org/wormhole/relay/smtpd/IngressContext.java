package org.wormhole.relay.smtpd;

import java.time.Clock;
import java.util.Optional;
import java.util.function.Consumer;
import org.subethamail.smtp.server.Session;
import org.wormhole.relay.events.RelayEvents;
import org.wormhole.relay.queue.FreeSpace;
import org.wormhole.relay.queue.QueueId;
import org.wormhole.relay.queue.Spool;

/**
 * What the SMTP commands need from the relay: the rules of each session (relay policy and
 * limits), the queue to write to and whom to tell about a queued message.
 *
 * @param myhostname     in the greeting, EHLO reply and Received: header
 * @param rules          the relay policy and limits each session began with ({@link #rules(Session)})
 * @param tlsOffered     STARTTLS is available
 * @param freeSpace      whether the queue has room for new mail (queue_minfree)
 * @param dataDeadlines  the time limit of each DATA phase as a whole
 * @param events         whom to tell what happened (the log lines among them)
 * @param submission     present on the submission listener: TLS and AUTH required, authenticated clients relay
 */
record IngressContext(String myhostname, SessionRules rules, boolean tlsOffered,
                      Spool spool, FreeSpace freeSpace, Consumer<QueueId> onQueued, Clock clock,
                      SessionInfo sessions, DataDeadline.Watchdog dataDeadlines, RelayEvents events,
                      Optional<Submission> submission) {

    /** The rules session {@code s} began with: a reload during the session does not change them. */
    SmtpdRules rules(Session s) {
        return rules.of(s);
    }
}
