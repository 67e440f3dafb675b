/**
 * The SMTP listener (Postfix smtpd): SubEthaSMTP with our own MAIL, RCPT, DATA, BDAT and EHLO
 * commands, strict end-of-data, session limits and the Received: header; relay policy lives in
 * {@code smtpd.policy}.
 *
 * <p>It never delivers or routes mail, and touches the queue only through the spool.
 */
package org.wormhole.relay.smtpd;
