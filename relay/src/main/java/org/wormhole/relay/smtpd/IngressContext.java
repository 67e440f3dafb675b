package org.wormhole.relay.smtpd;

import java.time.Clock;
import java.util.Optional;
import java.util.function.Consumer;
import org.wormhole.relay.events.RelayEvents;
import org.wormhole.relay.queue.FreeSpace;
import org.wormhole.relay.queue.QueueId;
import org.wormhole.relay.queue.Spool;
import org.wormhole.relay.smtpd.policy.RelayPolicy;

/**
 * What the SMTP commands need from the relay: limits, the relay policy, the queue to write to
 * and whom to tell about a queued message.
 *
 * @param myhostname     in the greeting, EHLO reply and Received: header
 * @param sizeLimit      message_size_limit in octets
 * @param recipientLimit smtpd_recipient_limit
 * @param tlsOffered     STARTTLS is available
 * @param freeSpace      whether the queue has room for new mail (queue_minfree)
 * @param dataDeadlines  the time limit of each DATA phase as a whole
 * @param contentChecks  what DATA refuses in the content besides bare CR/LF and excess size
 * @param events         whom to tell what happened (the log lines among them)
 * @param submission     present on the submission listener: TLS and AUTH required, authenticated clients relay
 */
record IngressContext(String myhostname, long sizeLimit, int recipientLimit, boolean tlsOffered,
                      RelayPolicy policy, Spool spool, FreeSpace freeSpace, Consumer<QueueId> onQueued, Clock clock,
                      SessionInfo sessions, DataDeadline.Watchdog dataDeadlines, ContentChecks contentChecks,
                      RelayEvents events, Optional<Submission> submission) {
}
