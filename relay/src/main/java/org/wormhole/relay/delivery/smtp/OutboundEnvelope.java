package org.wormhole.relay.delivery.smtp;

import java.util.List;

/**
 * The envelope of one transaction.
 *
 * @param sender     the reverse path without angle brackets, {@code ""} for the null sender
 *                   {@code <>} (bounces)
 * @param recipients the forward paths without angle brackets, at least one; replies come back in
 *                   this order. Keep it to what servers must accept (100, RFC 5321 4.5.3.1.8);
 *                   Postfix sends at most 50 per transaction.
 * @param eightBit   the content has 8-bit bytes: send {@code BODY=8BITMIME} when offered
 * @param smtpUtf8   the envelope or headers need SMTPUTF8 (RFC 6531); required for addresses with
 *                   non-ASCII characters
 */
public record OutboundEnvelope(String sender, List<String> recipients, boolean eightBit, boolean smtpUtf8) {

    public OutboundEnvelope {
        checkAddress("sender", sender, true, smtpUtf8);
        if (recipients == null || recipients.isEmpty()) {
            throw new IllegalArgumentException("no recipients");
        }
        recipients = List.copyOf(recipients);
        for (String r : recipients) {
            checkAddress("recipient", r, false, smtpUtf8);
        }
    }

    private static void checkAddress(String what, String address, boolean mayBeEmpty, boolean smtpUtf8) {
        if (address == null || (address.isEmpty() && !mayBeEmpty)) {
            throw new IllegalArgumentException("empty " + what);
        }
        for (int i = 0; i < address.length(); i++) {
            char c = address.charAt(i);
            if (c < ' ' || c == 127 || c == '<' || c == '>') {
                throw new IllegalArgumentException(what + " has a character not allowed in SMTP: " + address);
            }
            if (c > 127 && !smtpUtf8) {
                throw new IllegalArgumentException(what + " is not ASCII, the envelope needs smtpUtf8: " + address);
            }
        }
    }
}
