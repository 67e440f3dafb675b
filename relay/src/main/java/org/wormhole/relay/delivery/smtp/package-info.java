/**
 * The SMTP and LMTP client of the relay's delivery agents.
 *
 * <p>{@link org.wormhole.relay.delivery.smtp.SmtpConnection} opens one session with one server
 * (greeting, EHLO/LHLO, STARTTLS opportunistic or mandatory, or implicit TLS; see
 * {@link org.wormhole.relay.delivery.smtp.TlsMode}) and sends any number of transactions over it,
 * pipelined when the server offers PIPELINING. It relays the stored bytes of a message exactly
 * (dot-stuffing is the only change on the wire) and answers with one reply per recipient, in
 * envelope order; deciding what a reply means (delivered, deferred, bounced) is the caller's job.
 *
 * <p>Owns: the client side of the wire protocol. Never touches: queue files, routing, DNS, retry
 * and backoff decisions.
 */
package org.wormhole.relay.delivery.smtp;
