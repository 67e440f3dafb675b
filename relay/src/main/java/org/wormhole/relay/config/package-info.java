/**
 * The configuration (Postfix main.cf): HOCON loaded with defaults from
 * {@code config/wormhole.conf} into one immutable record.
 *
 * <p>It reads files and resolves the names of listen addresses; it never starts listeners or
 * opens sockets.
 */
package org.wormhole.relay.config;
