/**
 * The spool (Postfix queue files): the queue file format (QUEUE-FORMAT.md), fsync and group
 * commit, atomic state moves, the spool lock and free-space checks.
 *
 * <p>It decides nothing: no scheduling, no routing, no network I/O.
 */
package org.wormhole.relay.queue;
