/**
 * The link between two paired relays (PROTOCOL.md): site keys and pins
 * ({@link org.wormhole.link.SiteIdentity}, {@link org.wormhole.link.Pin}), TLS 1.3 with both keys
 * pinned ({@link org.wormhole.link.LinkTls}, {@link org.wormhole.link.PinningTrustManager}),
 * {@link org.wormhole.link.LinkEndpoint}, which keeps one link up to every configured peer
 * (dialing with backoff, or accepting), {@link org.wormhole.link.LinkSession}, one established
 * link (HELLO, keepalives, rekeying), and {@link org.wormhole.link.LinkCourier}, custody transfer
 * of messages over a session, both ways.
 *
 * <p>In the pipeline it sits between two relays: the sending relay's {@code tsmtp} delivery agent
 * hands it an {@link org.wormhole.link.OutboundMessage}; the receiving relay's
 * {@link org.wormhole.link.Custodian} writes the message into its own queue and makes it durable
 * before the RESULT goes back. This package never reads a queue or a mailertable.
 */
package org.wormhole.link;
