package org.wormhole.relay.dsn;

import jakarta.mail.BodyPart;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.ContentType;
import jakarta.mail.internet.MimeMultipart;

/**
 * A {@code multipart/report; report-type=delivery-status} (RFC 6522). Jakarta Mail has no setter
 * for a multipart's content type parameters, hence the subclass.
 */
final class DeliveryReport extends MimeMultipart {

    DeliveryReport(BodyPart... parts) throws MessagingException {
        super("report");
        ContentType type = new ContentType(contentType);
        type.setParameter("report-type", "delivery-status");
        contentType = type.toString();
        for (BodyPart part : parts) {
            addBodyPart(part);
        }
    }
}
