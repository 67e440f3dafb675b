/**
 * The relay side of the links to peer sites: link state and status, flush of a link's mail when
 * it comes up, certificate expiry warnings, the {@code tsmtp} mailer, classic (TLS) peers and
 * custody of mail received over a link.
 *
 * <p>It never schedules deliveries: the qmgr does.
 */
package org.wormhole.relay.link;
