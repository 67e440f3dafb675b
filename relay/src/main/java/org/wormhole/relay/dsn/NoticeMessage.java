package org.wormhole.relay.dsn;

import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;

/** A {@link MimeMessage} whose Message-ID is ours, not one Jakarta Mail makes up when saving. */
final class NoticeMessage extends MimeMessage {

    private final String messageId;

    NoticeMessage(Session session, String messageId) {
        super(session);
        this.messageId = messageId;
    }

    @Override
    protected void updateMessageID() throws MessagingException {
        setHeader("Message-ID", messageId);
    }
}
