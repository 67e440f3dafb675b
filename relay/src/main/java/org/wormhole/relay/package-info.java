/**
 * The running relay (Postfix's master): {@link org.wormhole.relay.Relay} wires one relay from a
 * {@link org.wormhole.relay.config.RelayConfig} and starts its parts in this order: the spool's
 * lock, the live mailertable, the queue, the queue manager with its delivery agents (by mailer,
 * {@code RelayAgents}), the links to peer sites, the control socket and last the SMTP listener; it
 * stops them with the SMTP listener first and the spool's lock last. The pipeline it wires is
 * smtpd (receive) -> queue writer -> qmgr -> delivery agents ({@code smtp} for
 * esmtp/smtp/smtp8/relay, {@code lmtp}, {@code tsmtp} to the peer sites over their links, or by
 * SMTP over pinned TLS for a {@code tsmtp} route naming a classic peer, {@code error},
 * {@code discard}; {@code local} defers, as a relay has no mailboxes).
 *
 * <p>{@link org.wormhole.relay.StartCheck} finds beforehand, on disk, what a start would fail on
 * ({@code wormhole config check}); {@link org.wormhole.relay.PermissionDenied} and
 * {@code BindFailure} put file and listener failures in an operator's words.
 */
package org.wormhole.relay;
