/**
 * Delivery agents (Postfix smtp, lmtp, error, discard): one immutable request in, one outcome
 * per recipient out; nexthop resolution and the connection cache.
 *
 * <p>Agents never schedule retries: they report outcomes and the qmgr decides.
 */
package org.wormhole.relay.delivery;
