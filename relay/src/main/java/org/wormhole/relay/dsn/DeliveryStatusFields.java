package org.wormhole.relay.dsn;

import jakarta.mail.internet.MimeUtility;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * The body of the {@code message/delivery-status} part (RFC 3464 section 2): per-message fields,
 * then one block of per-recipient fields for each recipient. 7-bit text with CRLF line endings;
 * long fields are folded at spaces.
 */
final class DeliveryStatusFields {

    /** The longest diagnostic kept, in characters, so a field never exceeds the 998-octet line limit. */
    static final int DIAGNOSTIC_LIMIT = 900;

    private static final Pattern SMTP_REPLY = Pattern.compile("[245]\\d\\d(?:[ -].*)?");

    private DeliveryStatusFields() {
    }

    static byte[] render(Notice n) {
        StringBuilder sb = new StringBuilder();
        field(sb, "Reporting-MTA", "dns; " + n.reportingMta());
        field(sb, "X-Wormhole-Queue-ID", n.queueId());
        field(sb, "X-Wormhole-Sender", ReportText.addressField(n.sender()));
        field(sb, "Arrival-Date", n.date(n.arrival()));
        for (FailedRecipient r : n.recipients()) {
            sb.append("\r\n");
            field(sb, "Final-Recipient", ReportText.addressField(r.address()));
            if (!r.originalRecipient().equals(r.address())) {
                field(sb, "Original-Recipient", ReportText.addressField(r.originalRecipient()));
            }
            field(sb, "Action", r.action().keyword());
            field(sb, "Status", r.status());
            if (!r.remoteMta().isEmpty()) {
                field(sb, "Remote-MTA", "dns; " + r.remoteMta());
            }
            String diagnostic = ReportText.ascii(ReportText.diagnostic(r.diagnostic(), DIAGNOSTIC_LIMIT));
            if (!diagnostic.isEmpty()) {
                String type = SMTP_REPLY.matcher(diagnostic).matches() ? "smtp" : "X-Wormhole";
                field(sb, "Diagnostic-Code", type + "; " + diagnostic);
            }
            field(sb, "Last-Attempt-Date", n.date(r.lastAttempt()));
            if (r.action() == Action.DELAYED) {
                field(sb, "Will-Retry-Until", n.date(n.retryUntil()));
            }
        }
        return sb.toString().getBytes(StandardCharsets.US_ASCII);
    }

    private static void field(StringBuilder sb, String name, String value) {
        sb.append(MimeUtility.fold(0, name + ": " + value)).append("\r\n");
    }
}
