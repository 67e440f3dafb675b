/**
 * The configuration (Postfix main.cf): HOCON loaded with defaults from
 * {@code config/wormhole.conf} into one immutable record.
 *
 * <p>It only reads files: it never starts listeners or opens sockets.
 */
package org.wormhole.relay.config;
