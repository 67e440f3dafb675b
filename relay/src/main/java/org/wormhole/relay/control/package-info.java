/**
 * The control socket in {@code SPOOL/private/} (Postfix postqueue/postsuper): the server behind
 * {@code wormhole queue ...} and {@code wormhole link status}, and its client.
 *
 * <p>It must never be reachable from the network: a Unix-domain socket only.
 */
package org.wormhole.relay.control;
