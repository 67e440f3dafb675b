/**
 * What the relay reports as it works: {@link org.wormhole.relay.events.RelayEvents}, one record per
 * fact (a message queued or refused, a recipient refused, a recipient's delivery attempted, a link
 * up or down), reported by smtpd, the qmgr and the peers' links right after the fact.
 *
 * <p>The Postfix-style log lines are one listener ({@link org.wormhole.relay.events.LoggedEvents});
 * a relay started with {@code Relay.start(..., listener)} also tells that listener, which is how
 * tests observe a relay without parsing its log, and how metrics will count.
 */
package org.wormhole.relay.events;
