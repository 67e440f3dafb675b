package org.wormhole.relay.events;

/**
 * A recipient refused at RCPT TO by the relay policy.
 *
 * @param client         the client as the log shows it: {@code name[address]}
 * @param code           the reply code, e.g. 554
 * @param enhancedStatus its enhanced status code, e.g. {@code 5.7.1} (relaying denied), a bounded
 *                       label for counting refusals
 * @param text           the reply text, e.g. {@code <x@y>: Relay access denied}
 * @param sender         the envelope sender, empty for the null sender
 * @param recipient      the refused recipient as the client wrote it
 * @param helo           the client's HELO or EHLO name, empty before one
 * @param proto          {@code ESMTP} after EHLO, else {@code SMTP} (Postfix's {@code proto=})
 */
public record RecipientRefused(String client, int code, String enhancedStatus, String text, String sender,
                               String recipient, String helo, String proto) {
}
