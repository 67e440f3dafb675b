package org.wormhole.link;

/**
 * The peer asks for a stream to one of this side's services ({@link LinkSession.Listener#open}).
 * Answer it once, from any thread, now or later (e.g. once the service's server is connected):
 * {@link #accept()} opens the stream, {@link #refuse} tells the peer why not. The peer names a
 * service only, never a host or a port: what a service connects to is this side's business.
 */
public final class StreamOpening {

    private final StreamChannels channels;
    private final LinkStream stream;
    private final int peerCredit;

    StreamOpening(StreamChannels channels, LinkStream stream, int peerCredit) {
        this.channels = channels;
        this.stream = stream;
        this.peerCredit = peerCredit;
    }

    /** The service the peer asked for. */
    public String service() {
        return stream.service();
    }

    /** The link the request came over. */
    public LinkSession session() {
        return channels.session();
    }

    /** Opens the stream (OPENED goes to the peer) and returns it. */
    public LinkStream accept() {
        channels.accept(stream, peerCredit);
        return stream;
    }

    /** Refuses the stream: the peer's opener fails with {@code reason}. */
    public void refuse(String reason) {
        stream.close(reason);
    }
}
