package org.wormhole.relay.smtpd;

import java.time.ZonedDateTime;
import java.util.List;
import org.wormhole.relay.queue.MailDates;

/** The trace header the relay puts on every message it accepts (RFC 5321 4.4). */
final class ReceivedHeader {

    private ReceivedHeader() {
    }

    /**
     * {@code Received: from helo (unknown [ip]) by host (Wormhole) with ESMTPS id QID for <rcpt>; date}.
     * The protocol names are RFC 3848 and RFC 6531's: SMTP, ESMTP, ESMTPS, UTF8SMTP, UTF8SMTPS.
     * {@code for} is given only for a single recipient, so a message to many does not list them all.
     */
    static String build(String helo, String clientIp, String myhostname, boolean esmtp, boolean tls, boolean utf8,
                        String queueId, List<String> recipients, ZonedDateTime now) {
        String protocol = utf8 ? "UTF8SMTP" : esmtp ? "ESMTP" : "SMTP";
        if (tls) {
            protocol += "S";
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
}
