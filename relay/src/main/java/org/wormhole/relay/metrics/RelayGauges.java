package org.wormhole.relay.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.wormhole.mailertable.WatchedMailertable;
import org.wormhole.relay.config.RelayConfig;
import org.wormhole.relay.peers.LinkStatus;
import org.wormhole.relay.peers.RelayLinks;
import org.wormhole.relay.qmgr.QueueManager;
import org.wormhole.relay.queue.FreeSpace;
import org.wormhole.relay.queue.QueueState;

/**
 * The relay's state as gauges, read from the status sources the operator's commands use (the
 * queue manager's index, {@code wormhole link status}'s {@link LinkStatus}, the mailertable's
 * status, the free space, the {@link ReadinessProbe}): once per scrape ({@link #refresh}), never
 * on the mail's path. The link's traffic and reconnects are counters read the same way. Names
 * and labels are in relay/METRICS.md; the label values are configured names (peers) and fixed
 * words (queue states), never an address or a queue id.
 *
 * <p>Thread-safe: {@link #refresh} takes a whole snapshot, the gauges read the last one.
 */
public final class RelayGauges {

    /** What one scrape shows. */
    private record Snapshot(Map<QueueState, Long> queue, double oldestAgeSeconds, double diskFree,
                            Map<String, LinkStatus> links, WatchedMailertable.Status table, boolean ready) {
    }

    private final QueueManager queue;
    private final FreeSpace freeSpace;
    private final WatchedMailertable mailertable;
    private final RelayLinks links; // null without peers
    private final ReadinessProbe readiness;
    private final Clock clock;
    private volatile Snapshot now;

    /**
     * Registers the gauges of a relay with these parts.
     *
     * @param links its links, null when no peers are configured
     */
    public RelayGauges(MeterRegistry registry, RelayConfig config, QueueManager queue, FreeSpace freeSpace,
                       WatchedMailertable mailertable, RelayLinks links, ReadinessProbe readiness, Clock clock) {
        this.queue = queue;
        this.freeSpace = freeSpace;
        this.mailertable = mailertable;
        this.links = links;
        this.readiness = readiness;
        this.clock = clock;
        refresh();
        gauge(registry, "wormhole.ready", null, "1 when the relay is ready for mail (as GET /healthz and wormhole status)",
                s -> s.ready() ? 1 : 0);
        for (QueueState state : QueueState.values()) {
            gauge(registry, "wormhole.queue.messages", null, "Messages in the queue, by state (the spool directory)",
                    s -> s.queue().getOrDefault(state, 0L), "state", state.directory());
        }
        gauge(registry, "wormhole.queue.oldest.message.age", "seconds",
                "Age of the oldest message waiting for delivery (not on hold); 0 when none waits", Snapshot::oldestAgeSeconds);
        gauge(registry, "wormhole.queue.disk.free", "bytes", "Octets free for the relay on the queue's file system",
                Snapshot::diskFree);
        gauge(registry, "wormhole.queue.minfree", "bytes",
                "Octets that must stay free: below it new mail is refused (queue_minfree, at least 1.5 x message_size_limit)",
                s -> freeSpace.minimum()); // a reload may change it
        gauge(registry, "wormhole.mailertable.entries", null, "Entries in the mailertable in use", s -> s.table().entries());
        gauge(registry, "wormhole.mailertable.edit.rejected", null,
                "1 while the newest edit of the mailertable is rejected (the version before is in use)",
                s -> s.table().rejectedErrors().isEmpty() ? 0 : 1);
        gauge(registry, "wormhole.mailertable.unreadable", null,
                "1 while the mailertable's file cannot be read (routing defers all mail)",
                s -> s.table().unavailable().isPresent() ? 1 : 0);
        gauge(registry, "wormhole.mailertable.loaded.timestamp", "seconds", "When the mailertable in use was loaded",
                s -> seconds(s.table().loadedAt()));
        for (RelayConfig.PeerConfig p : config.peers()) {
            peer(registry, p);
        }
        if (links != null) {
            gauge(registry, "wormhole.site.certificate.expiry.timestamp", "seconds",
                    "When this site's certificate (its link key) expires",
                    s -> s.links().values().stream().findFirst().map(l -> seconds(l.ownNotAfter())).orElse(Double.NaN));
        }
    }

    private void peer(MeterRegistry registry, RelayConfig.PeerConfig p) {
        String peer = p.name();
        gauge(registry, "wormhole.link.waiting.messages", null, "Messages in the queue with a recipient routed to the peer",
                s -> link(s, peer) == null ? 0 : link(s, peer).waiting(), "peer", peer);
        if (p.classic()) {
            return; // SMTP over TLS per delivery: no link to show
        }
        gauge(registry, "wormhole.link.up", null, "1 when the link to the peer is up", s -> up(s, peer) ? 1 : 0, "peer", peer);
        gauge(registry, "wormhole.link.rtt", "seconds", "The link's last keepalive round trip; NaN while it is down",
                s -> up(s, peer) && link(s, peer).rtt() != null ? link(s, peer).rtt().toNanos() / 1e9 : Double.NaN,
                "peer", peer);
        gauge(registry, "wormhole.link.lanes", null, "TCP connections the link is carried by; 0 while it is down",
                s -> link(s, peer) == null ? 0 : link(s, peer).lanes(), "peer", peer);
        gauge(registry, "wormhole.link.peer.certificate.expiry.timestamp", "seconds",
                "When the peer's certificate, as presented on the link, expires; NaN while the link is down",
                s -> up(s, peer) ? seconds(link(s, peer).peerNotAfter()) : Double.NaN, "peer", peer);
        counter(registry, "wormhole.link.messages", null, "Messages carried over the link, by direction", peer, "sent",
                l -> l.traffic().messagesSent());
        counter(registry, "wormhole.link.messages", null, "Messages carried over the link, by direction", peer, "received",
                l -> l.traffic().messagesReceived());
        counter(registry, "wormhole.link.content", "bytes", "Octets of message content carried over the link, by direction",
                peer, "sent", l -> l.traffic().bytesSent());
        counter(registry, "wormhole.link.content", "bytes", "Octets of message content carried over the link, by direction",
                peer, "received", l -> l.traffic().bytesReceived());
        FunctionCounter.builder("wormhole.link.reconnects", this, g -> {
            LinkStatus l = link(g.now, peer);
            return l == null ? 0 : l.reconnects();
        }).description("Times the link came up again after its first time").tag("peer", peer).register(registry);
    }

    private void counter(MeterRegistry registry, String name, String unit, String description, String peer,
                         String direction, ToDoubleFunction<LinkStatus> value) {
        FunctionCounter.builder(name, this, g -> {
            LinkStatus l = link(g.now, peer);
            return l == null ? 0 : value.applyAsDouble(l);
        }).baseUnit(unit).description(description).tag("peer", peer).tag("direction", direction).register(registry);
    }

    private void gauge(MeterRegistry registry, String name, String unit, String description,
                       ToDoubleFunction<Snapshot> value, String... tags) {
        Gauge.builder(name, this, g -> value.applyAsDouble(g.now)).baseUnit(unit).description(description).tags(tags)
                .strongReference(true).register(registry);
    }

    private static LinkStatus link(Snapshot s, String peer) {
        return s.links().get(peer);
    }

    private static boolean up(Snapshot s, String peer) {
        LinkStatus l = link(s, peer);
        return l != null && l.state() == LinkStatus.State.UP;
    }

    private static double seconds(Instant t) {
        return t == null ? Double.NaN : t.toEpochMilli() / 1000.0;
    }

    /**
     * Takes a new snapshot of the relay's state: before each scrape. Costs one pass over the
     * queue index per peer (its waiting mail, as {@code link status}) and a few file-system calls.
     */
    public synchronized void refresh() {
        long millis = clock.millis();
        double oldest = queue.oldestWaiting().map(id -> Math.max(0, millis - id.arrivalMillis()) / 1000.0).orElse(0.0);
        double disk;
        try {
            disk = freeSpace.usable();
        } catch (IOException e) {
            disk = Double.NaN;
        }
        Map<String, LinkStatus> byPeer = new LinkedHashMap<>();
        if (links != null) {
            List<LinkStatus> status = links.status(queue::waiting);
            status.forEach(l -> byPeer.put(l.peer(), l));
        }
        now = new Snapshot(queue.counts(), oldest, disk, byPeer, mailertable.status(), readiness.check().ready());
    }
}
