package org.wormhole.link;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.List;
import javax.net.ssl.SSLSocket;
import org.wormhole.link.wire.Frame;
import org.wormhole.link.wire.FrameCodec;
import org.wormhole.link.wire.ProtocolViolation;

/** The HELLO exchange that starts a link session: who the peer is, the version, its window (PROTOCOL.md "Session"). */
final class Greeting {

    /** What both sides agreed on. */
    record Agreed(String peerSite, int version, int peerWindow) {
    }

    private Greeting() {
    }

    /**
     * Sends this side's HELLO and reads the peer's, in the order of PROTOCOL.md: the listening
     * side first. The dialing side (TLS client) reads the listener's HELLO before it sends its
     * own: in TLS 1.3 the client's handshake is done before the server has checked the client's
     * key, and a refusal then comes as an alert, which a write would turn into a broken pipe.
     *
     * @throws ProtocolViolation no common version (the peer is told so), or the peer did not start with HELLO
     * @throws IOException       the connection failed, or no HELLO came within the timeout
     */
    static Agreed exchange(Socket tls, InputStream in, FrameWriter writer, String localSite,
                           SessionSettings settings) throws IOException, ProtocolViolation {
        boolean dialer = tls instanceof SSLSocket ssl && ssl.getUseClientMode();
        Frame.Hello mine = new Frame.Hello(settings.versions(), localSite, settings.window());
        if (!dialer) {
            writer.writeNow(mine);
        }
        int oldTimeout = tls.getSoTimeout();
        tls.setSoTimeout((int) settings.helloTimeout().toMillis());
        Frame first;
        try {
            first = FrameCodec.read(in);
        } catch (SocketTimeoutException e) {
            throw new IOException("no HELLO from the peer within " + settings.helloTimeout().toSeconds() + " s");
        } finally {
            if (!tls.isClosed()) { // closed by a TLS alert: keep its exception, not "Socket is closed"
                tls.setSoTimeout(oldTimeout);
            }
        }
        if (dialer) {
            writer.writeNow(mine);
        }
        if (!(first instanceof Frame.Hello hello)) {
            throw new ProtocolViolation("the peer's first frame is not HELLO");
        }
        List<Integer> ours = settings.versions();
        int version = hello.versions().stream().filter(ours::contains).mapToInt(Integer::intValue).max().orElse(-1);
        if (version < 0) {
            writer.writeNow(LinkSession.goodbye("no common version (we speak " + ours + ", the peer " + hello.versions()
                    + ")"));
            throw new ProtocolViolation("no common version: the peer speaks " + hello.versions() + ", we " + ours);
        }
        return new Agreed(hello.site(), version, hello.window());
    }
}
