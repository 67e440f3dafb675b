package org.wormhole.harness;

import jakarta.mail.BodyPart;
import jakarta.mail.Session;
import jakarta.mail.internet.ContentType;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * A delivery status notification (RFC 3464) as the sender's mail client sees it: read with
 * Jakarta Mail from the exact bytes a fake mail hub received.
 *
 * @param envelopeSender  MAIL FROM of the notice: empty for the null sender {@code <>}
 * @param recipients      RCPT TO of the notice
 * @param subject         its Subject:
 * @param from            its From:
 * @param contentType     the base type, {@code multipart/report} for a notice
 * @param reportType      the {@code report-type} parameter, {@code delivery-status} for a notice
 * @param partTypes       the base types of its parts, in order
 * @param explanation     the human-readable first part
 * @param deliveryStatus  the {@code message/delivery-status} part, folded lines joined
 */
record DeliveryReport(String envelopeSender, List<String> recipients, String subject, String from,
                      String contentType, String reportType, List<String> partTypes, String explanation,
                      String deliveryStatus) {

    static DeliveryReport of(FakeMx.Received r) {
        try {
            MimeMessage m = new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(r.content()));
            ContentType type = new ContentType(m.getContentType());
            List<String> parts = new ArrayList<>();
            String explanation = "";
            String status = "";
            if (type.getBaseType().equalsIgnoreCase("multipart/report")) {
                MimeMultipart mp = new MimeMultipart(new jakarta.mail.util.ByteArrayDataSource(m.getRawInputStream(),
                        m.getContentType()));
                for (int i = 0; i < mp.getCount(); i++) {
                    BodyPart p = mp.getBodyPart(i);
                    String base = new ContentType(p.getContentType()).getBaseType().toLowerCase(java.util.Locale.ROOT);
                    parts.add(base);
                    String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                    if (i == 0) {
                        explanation = text;
                    }
                    if (base.equals("message/delivery-status")) {
                        status = text.replace("\r\n ", " ").replace("\r\n\t", " ");
                    }
                }
            }
            return new DeliveryReport(r.from(), r.recipients(), m.getSubject(), m.getHeader("From", null),
                    type.getBaseType().toLowerCase(java.util.Locale.ROOT), type.getParameter("report-type"),
                    List.copyOf(parts), explanation, status);
        } catch (Exception e) {
            throw new AssertionError("not a readable MIME message: " + r.text(), e);
        }
    }

    /** The per-recipient block of the delivery-status part for {@code address}, or "" if none. */
    String recipientFields(String address) {
        for (String block : deliveryStatus.split("\r\n\r\n")) {
            if (block.contains("Final-Recipient: rfc822; " + address + "\r\n")) {
                return block.endsWith("\r\n") ? block : block + "\r\n";
            }
        }
        return "";
    }

    /** The value of {@code field} in {@code block} (one unfolded line), or null. */
    static String field(String block, String field) {
        for (String line : block.split("\r\n")) {
            if (line.startsWith(field + ": ")) {
                return line.substring(field.length() + 2);
            }
        }
        return null;
    }
}
