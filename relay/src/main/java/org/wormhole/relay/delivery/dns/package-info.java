/**
 * Where mail for a domain goes: the MX seam of the delivery agents.
 *
 * <p>{@link org.wormhole.relay.delivery.dns.MxResolver} is the interface the SMTP delivery agent
 * uses; {@link org.wormhole.relay.delivery.dns.DnsjavaMxResolver} answers it from DNS (RFC 5321
 * 5.1: MX records, else the implicit MX; RFC 7505 null MX). Failures say whether to defer
 * ({@link org.wormhole.relay.delivery.dns.DnsTemporaryFailure}) or bounce
 * ({@link org.wormhole.relay.delivery.dns.DnsPermanentFailure}), each with an RFC 3463 code.
 *
 * <p>Owns: DNS questions about mail routing. Never touches: the mailertable, connections, queue.
 */
package org.wormhole.relay.delivery.dns;
