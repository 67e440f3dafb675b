package org.wormhole.link;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The listener's slots for connections still in their TLS handshake and HELLO exchange (as
 * sshd's {@code MaxStartups}, and per source address as its {@code PerSourceMaxStartups}): at most
 * {@code total} in all, at most {@code perSource} from any one address, so one stranger cannot
 * take every slot. The configured peers' addresses have room of their own, outside the total: a
 * crowd of strangers from other addresses never keeps a peer from relinking.
 *
 * <p>Thread-safe.
 */
final class StartupSlots {

    /** Whether an accepted connection may start its handshake. */
    sealed interface Verdict permits Taken, Busy {
    }

    /** It may; give the slot back with {@link #release}. */
    record Taken(InetAddress source, boolean reserved) implements Verdict {
    }

    /** It may not: the listener tells the dialer it is busy (PROTOCOL.md, "Transport"). */
    record Busy(String why) implements Verdict {
    }

    private final int total;
    private final int perSource;
    private final Set<InetAddress> reserved;
    private final Map<InetAddress, Integer> bySource = new HashMap<>();
    private int inPool; // slots of the shared pool in use

    /**
     * @param reserved the configured peers' addresses: their handshakes count only against {@code perSource}
     */
    StartupSlots(int total, int perSource, Set<InetAddress> reserved) {
        this.total = total;
        this.perSource = perSource;
        this.reserved = Set.copyOf(reserved);
    }

    synchronized Verdict take(InetAddress source) {
        int mine = bySource.getOrDefault(source, 0);
        if (mine >= perSource) {
            return new Busy("busy: " + mine + " handshakes from this address are already in progress (at most "
                    + perSource + " per address)");
        }
        boolean isReserved = reserved.contains(source);
        if (!isReserved) {
            if (inPool >= total) {
                return new Busy("busy: " + inPool + " handshakes are already in progress (a flood?)");
            }
            inPool++;
        }
        bySource.put(source, mine + 1);
        return new Taken(source, isReserved);
    }

    synchronized void release(Taken slot) {
        if (!slot.reserved()) {
            inPool--;
        }
        bySource.computeIfPresent(slot.source(), (a, n) -> n <= 1 ? null : n - 1);
    }
}
