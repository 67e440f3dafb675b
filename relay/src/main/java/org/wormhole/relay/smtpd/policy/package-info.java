/**
 * The SMTP server's recipient policy: which clients may relay where
 * ({@link org.wormhole.relay.smtpd.policy.RelayPolicy}, with
 * {@link org.wormhole.relay.smtpd.policy.Cidr} blocks for mynetworks) and which recipient
 * addresses are acceptable at all.
 *
 * <p>Pure functions of (client address, recipient): no DNS, no sockets, no routing. Routing an
 * accepted recipient is the mailertable's job, never this package's.
 */
package org.wormhole.relay.smtpd.policy;
