/**
 * What the relay reports as it works: {@link org.wormhole.relay.events.RelayEvents}, one record per
 * fact (an SMTP session refused, a message queued or refused, a recipient refused, a recipient's delivery attempted, a link
 * up or down, the mailertable swapped, an edit of it rejected or its file unreadable), reported by
 * smtpd, the qmgr, the peers' links and the live mailertable right after the fact.
 *
 * <p>The Postfix-style log lines are one listener ({@link org.wormhole.relay.events.LoggedEvents});
 * a relay started with {@code Relay.start(..., listener)} also tells that listener, which is how
 * tests observe a relay without parsing its log, and how metrics will count.
 */
package org.wormhole.relay.events;
