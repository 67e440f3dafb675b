package org.wormhole.link;

import java.time.Duration;
import java.util.List;
import org.wormhole.link.wire.Frame;

/**
 * A link session's settings: keepalive, the message window, rekeying, the byte streams' limits
 * and the protocol versions offered (PROTOCOL.md).
 *
 * @param rekeyInterval rekey after the keys are this old; zero: never by age
 * @param rekeyBytes    rekey after this many octets read and written with the same keys; 0: never by volume
 * @param versions      the protocol versions offered in HELLO, a subset of {@link LinkSession#VERSIONS}
 * @param lanes         TCP connections a link may have in all (version 2): the dialing side joins
 *                      as many as both sides allow, the listening side accepts as many
 */
public record SessionSettings(Duration keepaliveInterval, int keepaliveCount, int window, Duration helloTimeout,
                              Duration rekeyInterval, long rekeyBytes, StreamLimits streams, List<Integer> versions,
                              int lanes) {
    /** Lanes by default: the link's first connection and three more (PROTOCOL.md "Lanes"). */
    public static final int DEFAULT_LANES = 4;

    public SessionSettings {
        if (lanes < 1 || lanes > Frame.MAX_LANES) {
            throw new IllegalArgumentException("lanes " + lanes + " not within 1.." + Frame.MAX_LANES);
        }
        versions = List.copyOf(versions);
        if (versions.isEmpty() || !LinkSession.VERSIONS.containsAll(versions)) {
            throw new IllegalArgumentException("versions " + versions + " not among " + LinkSession.VERSIONS);
        }
    }

    public SessionSettings(Duration keepaliveInterval, int keepaliveCount, int window, Duration helloTimeout,
                           Duration rekeyInterval, long rekeyBytes) {
        this(keepaliveInterval, keepaliveCount, window, helloTimeout, rekeyInterval, rekeyBytes,
                StreamLimits.defaults(), LinkSession.VERSIONS, DEFAULT_LANES);
    }

    /** Without rekeying (but the JDK's own KeyUpdate at its key limits). */
    public SessionSettings(Duration keepaliveInterval, int keepaliveCount, int window, Duration helloTimeout) {
        this(keepaliveInterval, keepaliveCount, window, helloTimeout, Duration.ZERO, 0);
    }

    public static SessionSettings defaults() {
        return new SessionSettings(Duration.ofSeconds(10), 3, 256, Duration.ofSeconds(30), Duration.ofHours(1),
                1L << 30);
    }

    /** The same with other rekey limits. */
    public SessionSettings withRekey(Duration interval, long bytes) {
        return new SessionSettings(keepaliveInterval, keepaliveCount, window, helloTimeout, interval, bytes, streams,
                versions, lanes);
    }

    /** The same with other stream limits. */
    public SessionSettings withStreams(StreamLimits limits) {
        return new SessionSettings(keepaliveInterval, keepaliveCount, window, helloTimeout, rekeyInterval, rekeyBytes,
                limits, versions, lanes);
    }

    /** The same, offering only these versions in HELLO (e.g. to be a version-1 peer). */
    public SessionSettings withVersions(List<Integer> offered) {
        return new SessionSettings(keepaliveInterval, keepaliveCount, window, helloTimeout, rekeyInterval, rekeyBytes,
                streams, offered, lanes);
    }

    /** The same with another number of lanes (1: one connection, as version 1). */
    public SessionSettings withLanes(int count) {
        return new SessionSettings(keepaliveInterval, keepaliveCount, window, helloTimeout, rekeyInterval, rekeyBytes,
                streams, versions, count);
    }
}
