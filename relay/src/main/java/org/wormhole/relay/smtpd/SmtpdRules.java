package org.wormhole.relay.smtpd;

import org.wormhole.relay.smtpd.policy.RelayPolicy;

/**
 * What one SMTP session goes by from its start to its end: whom it relays for and its limits.
 * A reload gives new sessions new rules ({@link SmtpIngress#apply}); a session in progress keeps
 * the rules it began with, so a transaction never sees its limits change half-way.
 *
 * @param policy         mynetworks and relay_domains
 * @param sizeLimit      message_size_limit in octets (advertised as SIZE)
 * @param recipientLimit smtpd_recipient_limit
 * @param contentChecks  smtpd_line_length_limit, smtpd_forbid_nul_in_content
 */
public record SmtpdRules(RelayPolicy policy, long sizeLimit, int recipientLimit, ContentChecks contentChecks) {
}
