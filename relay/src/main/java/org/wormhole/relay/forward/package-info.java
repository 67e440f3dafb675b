/**
 * Forwarded TCP services over the links (ssh -L / stunnel, done right): {@link ForwardedServices}
 * owns this site's {@link ForwardListener}s (each accepted connection becomes a stream on the
 * link to the peer that offers the service) and its {@link OfferedServices} (a peer's stream
 * request connects to the target configured for that service, if it is offered to that peer).
 * {@link StreamSplice} copies one TCP connection to and from one link stream, both ways, with
 * half-close, and logs the stream's one line when it ends. The link's streams, their credit and
 * limits are tunnel-link's ({@code LinkStream}); this package never touches frames.
 */
package org.wormhole.relay.forward;
