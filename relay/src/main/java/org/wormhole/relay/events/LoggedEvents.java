package org.wormhole.relay.events;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Postfix-style log lines of the relay's events: one line each, under the logger named after
 * the Postfix process that would write it ({@code smtpd}, {@code link}). Their wording is what
 * operators grep and the proving ground parses: keep it.
 */
public final class LoggedEvents implements RelayEvents {

    private static final Logger smtpd = LoggerFactory.getLogger("smtpd");
    private static final Logger link = LoggerFactory.getLogger("link");

    @Override
    public void messageQueued(MessageQueued e) {
        smtpd.info("{}: client={}, from=<{}>, size={}, nrcpt={} (queue active)", e.id(), e.client(), e.sender(), e.size(),
                e.recipients());
    }

    @Override
    public void messageRefused(MessageRefused e) {
        smtpd.info("{}: reject: DATA from {}: {}; from=<{}>", e.id(), e.client(), e.reply(), e.sender());
    }

    @Override
    public void recipientRefused(RecipientRefused e) {
        smtpd.info("NOQUEUE: reject: RCPT from {}: {} {} {}; from=<{}> to=<{}> helo=<{}>", e.client(), e.code(),
                e.enhancedStatus(), e.text(), e.sender(), e.recipient(), e.helo());
    }

    @Override
    public void linkUp(LinkCameUp e) {
        link.info("link to {} up{}", e.peer(), e.downSince().map(d -> " (down since " + d + ")").orElse(""));
    }
}
