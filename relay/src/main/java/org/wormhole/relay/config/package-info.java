/**
 * The configuration (Postfix main.cf): HOCON loaded with defaults from
 * {@code config/wormhole.conf} into one immutable {@link org.wormhole.relay.config.RelayConfig},
 * sectioned by the part of the relay that reads it: {@link org.wormhole.relay.config.SmtpdConfig},
 * {@link org.wormhole.relay.config.QueueConfig}, {@link org.wormhole.relay.config.MailertableConfig},
 * {@link org.wormhole.relay.config.DeliveryConfig}, {@link org.wormhole.relay.config.LinkConfig} and
 * the peers. The file keeps Postfix's flat key names; each section's fields name the key they
 * come from.
 *
 * <p>It reads files and resolves the names of listen addresses; it never starts listeners or
 * opens sockets.
 */
package org.wormhole.relay.config;
