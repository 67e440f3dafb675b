/**
 * The relay's peer sites (named {@code peers}, not {@code link}, so it is not mistaken for the
 * tunnel-link module's {@code org.wormhole.link}, which it uses): the relay side of the links:
 * link state and status, flush of a link's mail when it comes up, certificate expiry warnings, the
 * {@code tsmtp} mailer, classic (TLS) peers and custody of mail received over a link.
 *
 * <p>It never schedules deliveries: the qmgr does.
 */
package org.wormhole.relay.peers;
