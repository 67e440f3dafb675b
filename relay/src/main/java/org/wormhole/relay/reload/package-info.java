/**
 * Reload without a restart ({@code wormhole reload}, SIGHUP): the configuration file the relay
 * was started with is read again ({@link ConfigSource}), compared key by key with the one in force
 * ({@link ConfigChange}), and what can change live ({@link LiveKeys}) is applied; the rest is
 * reported as needing a restart. A file with errors changes nothing ({@link ReloadReport}).
 * Owns the comparison and the report; never touches the queue, sessions or links itself: the
 * relay applies the changes to its parts.
 */
package org.wormhole.relay.reload;
