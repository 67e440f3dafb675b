package org.wormhole.relay.queue;

import java.time.ZonedDateTime;
import java.util.List;

/**
 * The trace header the relay puts on every message it queues (RFC 5321 4.4), one form for each
 * way mail comes in: from an SMTP client, and from a peer over the link. Each counts as one hop
 * against {@code hopcount_limit}.
 */
public final class ReceivedHeader {

    private ReceivedHeader() {
    }

    /**
     * {@code Received: from helo (unknown [ip]) by host (Wormhole) with ESMTPS id QID for <rcpt>; date}.
     * The protocol names are RFC 3848 and RFC 6531's: SMTP, ESMTP, ESMTPS, ESMTPSA (authenticated),
     * UTF8SMTP, UTF8SMTPS, UTF8SMTPSA. {@code for} is given only for a single recipient, so a message
     * to many does not list them all.
     */
    public static String smtp(String helo, String clientIp, String myhostname, boolean esmtp, boolean tls, boolean utf8,
                              String queueId, List<String> recipients, ZonedDateTime now) {
        return smtp(helo, clientIp, myhostname, esmtp, tls, false, utf8, queueId, recipients, now);
    }

    /** As above, for a client that may have authenticated (AUTH): ESMTPA, ESMTPSA, UTF8SMTPSA. */
    public static String smtp(String helo, String clientIp, String myhostname, boolean esmtp, boolean tls,
                              boolean authenticated, boolean utf8, String queueId, List<String> recipients,
                              ZonedDateTime now) {
        String protocol = utf8 ? "UTF8SMTP" : esmtp ? "ESMTP" : "SMTP";
        if (tls) {
            protocol += "S";
        }
        if (authenticated && !protocol.equals("SMTP")) {
            protocol += "A";
        }
        StringBuilder sb = new StringBuilder(160);
        sb.append("Received: from ").append(helo == null ? "unknown" : helo)
                .append(" (unknown [").append(clientIp).append("])\r\n");
        sb.append("\tby ").append(myhostname).append(" (Wormhole) with ").append(protocol)
                .append(" id ").append(queueId);
        if (recipients.size() == 1) {
            sb.append("\r\n\tfor <").append(recipients.get(0)).append(">");
        }
        sb.append("; ").append(MailDates.format(now)).append("\r\n");
        return sb.toString();
    }

    /**
     * {@code Received: from PEER (link:PEER) by host (Wormhole) with WORMHOLE-LINK id QID (peer
     * message MID); date}: a message taken over from a peer site, naming the peer's own id for it.
     */
    public static String link(String peer, String myhostname, String queueId, String peerMessageId, ZonedDateTime now) {
        return "Received: from " + peer + " (link:" + peer + ")\r\n\tby " + myhostname
                + " (Wormhole) with WORMHOLE-LINK id " + queueId + " (peer message " + peerMessageId + ");\r\n\t"
                + MailDates.format(now) + "\r\n";
    }
}
