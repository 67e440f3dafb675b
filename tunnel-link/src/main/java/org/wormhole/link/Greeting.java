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

    /** How the peer greeted: a new link, or a connection that joins one as a lane. */
    sealed interface Greeted permits Agreed, Joining {
    }

    /** A new link: what both sides agreed on. */
    record Agreed(String peerSite, int version, int peerWindow) implements Greeted {
    }

    /** The dialer joins the link named by the JOIN's token (version 2), as its lane. */
    record Joining(Frame.Join join) implements Greeted {
    }

    private Greeting() {
    }

    /**
     * Sends this side's HELLO and reads the peer's, in the order of PROTOCOL.md: the listening
     * side first. The dialing side (TLS client) reads the listener's HELLO before it sends its
     * own: in TLS 1.3 the client's handshake is done before the server has checked the client's
     * key, and a refusal then comes as an alert, which a write would turn into a broken pipe.
     *
     * <p>On the listening side, the dialer's first frame may be a JOIN instead of its HELLO: the
     * connection is to be a lane of a link it has already ({@link Joining}).
     *
     * @throws ProtocolViolation no common version (the peer is told so), or the peer did not start with HELLO
     * @throws IOException       the connection failed, or no HELLO came within the timeout
     */
    static Greeted exchange(Socket tls, InputStream in, FrameWriter writer, String localSite,
                           SessionSettings settings) throws IOException, ProtocolViolation {
        boolean dialer = tls instanceof SSLSocket ssl && ssl.getUseClientMode();
        Frame.Hello mine = new Frame.Hello(settings.versions(), localSite, settings.window());
        if (!dialer) {
            writer.writeNow(mine);
        }
        Frame first = readWithin(tls, in, settings, "HELLO");
        if (!dialer && first instanceof Frame.Join join) {
            return new Joining(join);
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

    /**
     * The dialing side's greeting on a connection that joins a link as a lane: it reads the
     * listener's HELLO, sends JOIN instead of its own, and reads the listener's answer, the same
     * JOIN.
     *
     * @throws IOException the listener refused the lane (its GOODBYE's reason), or no answer came in time
     */
    static void join(Lane lane, SessionSettings settings, Frame.Join join) throws IOException, ProtocolViolation {
        Frame first = readWithin(lane.socket, lane.in, settings, "HELLO");
        if (!(first instanceof Frame.Hello hello) || !hello.versions().contains(LinkSession.LANES_VERSION)) {
            throw new ProtocolViolation("the peer did not greet a lane with a HELLO of version " + LinkSession.LANES_VERSION);
        }
        lane.writer.writeNow(join);
        Frame answer = readWithin(lane.socket, lane.in, settings, "answer to JOIN");
        if (answer instanceof Frame.Goodbye g) {
            throw new IOException("the peer refused lane " + join.lane() + ": " + g.reason());
        }
        if (!join.equals(answer)) {
            throw new ProtocolViolation("the peer answered JOIN with " + answer);
        }
    }

    private static Frame readWithin(Socket tls, InputStream in, SessionSettings settings, String what)
            throws IOException, ProtocolViolation {
        int oldTimeout = tls.getSoTimeout();
        tls.setSoTimeout((int) settings.helloTimeout().toMillis());
        try {
            return FrameCodec.read(in);
        } catch (SocketTimeoutException e) {
            throw new IOException("no " + what + " from the peer within " + settings.helloTimeout().toSeconds() + " s");
        } finally {
            if (!tls.isClosed()) { // closed by a TLS alert: keep its exception, not "Socket is closed"
                tls.setSoTimeout(oldTimeout);
            }
        }
    }
}
