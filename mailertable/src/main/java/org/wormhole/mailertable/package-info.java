/**
 * The mailertable: sendmail's {@code domain mailer:host} routing table, read from its source
 * text with no makemap step. {@link org.wormhole.mailertable.Mailertable} is a loaded, immutable
 * table; a lookup answers a sealed {@link org.wormhole.mailertable.Lookup} (found, not found, or a
 * temporary failure) whose {@link org.wormhole.mailertable.Route} is a transport to a
 * {@link org.wormhole.mailertable.Nexthop} by a {@link org.wormhole.mailertable.Mailer}, a
 * reject ({@link org.wormhole.mailertable.ErrorReply}), a discard or a local delivery.
 * {@link org.wormhole.mailertable.WatchedMailertable} holds a table live while admins edit it and
 * swaps each good edit in atomically; a bad one is rejected whole, with every bad line as a
 * {@link org.wormhole.mailertable.LineError}.
 *
 * <p>In the pipeline, the relay's qmgr looks each recipient up here at every delivery attempt to
 * choose its delivery agent. A lookup is pure: no DNS, no network, no I/O; this package never
 * delivers, queues or speaks SMTP.
 */
package org.wormhole.mailertable;
