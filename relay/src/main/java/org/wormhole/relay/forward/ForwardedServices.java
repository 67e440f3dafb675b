package org.wormhole.relay.forward;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.wormhole.link.LinkSession;
import org.wormhole.link.StreamOpening;
import org.wormhole.relay.config.ForwardingConfig;

/**
 * This site's forwarded services: the listeners of its {@code forwards}, the {@code services} it
 * offers its peers (answering their stream requests: {@link #requested}), and the idle timeout
 * of each stream to a service. Start it once the links are; close it before them.
 */
public final class ForwardedServices implements AutoCloseable {

    private final ForwardingConfig config;
    private final OfferedServices offered;
    private final List<ForwardListener> listeners = new ArrayList<>();
    private final Set<StreamSplice> open = ConcurrentHashMap.newKeySet();
    private final Map<StreamSplice, Duration> idleTimeouts = new ConcurrentHashMap<>();
    private final ScheduledExecutorService idleCheck = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "stream-idle-check");
        t.setDaemon(true);
        return t;
    });

    /**
     * Binds the forwards' listeners (they accept nothing before {@link #start}).
     *
     * @param links the link to a peer by name, while it is up
     * @throws IOException a listener cannot be bound (named with its address)
     */
    public ForwardedServices(ForwardingConfig config, Function<String, Optional<LinkSession>> links) throws IOException {
        this.config = config;
        this.offered = new OfferedServices(config.services(), s -> track(s.splice(), s.service().idleTimeout()));
        try {
            for (ForwardingConfig.Forward f : config.forwards()) {
                listeners.add(new ForwardListener(f, links, s -> track(s, null)));
            }
        } catch (IOException e) {
            close();
            throw e;
        }
    }

    private void track(StreamSplice s, Duration idleTimeout) {
        open.add(s);
        if (idleTimeout != null) {
            idleTimeouts.put(s, idleTimeout);
        }
    }

    /** True when there is nothing to forward or offer: the relay need not build one. */
    public static boolean nothingIn(ForwardingConfig config) {
        return config.services().isEmpty() && config.forwards().isEmpty();
    }

    /** Starts accepting on the forwards' listeners and watching streams' idle time. */
    public void start() {
        listeners.forEach(ForwardListener::start);
        long every = config.services().stream().map(ForwardingConfig.Service::idleTimeout)
                .mapToLong(d -> Math.max(50, Math.min(1000, d.toMillis() / 4))).min().orElse(1000);
        idleCheck.scheduleWithFixedDelay(this::closeIdle, every, every, TimeUnit.MILLISECONDS);
    }

    private void closeIdle() {
        for (StreamSplice s : open) {
            if (s.stream().closedReason() != null) {
                open.remove(s);
                idleTimeouts.remove(s);
                continue;
            }
            Duration limit = idleTimeouts.get(s);
            if (limit != null && s.idle().compareTo(limit) >= 0) {
                s.close("idle for " + limit.toSeconds() + " s (idle_timeout)");
            }
        }
    }

    /** A peer asks for a stream to one of this site's services: answered now or once its target is connected. */
    public void requested(String peer, StreamOpening request) {
        offered.requested(peer, request);
    }

    /** The port forward {@code name} listens on. */
    public OptionalInt port(String name) {
        return listeners.stream().filter(l -> l.forward().name().equals(name)).mapToInt(ForwardListener::port).findFirst();
    }

    /**
     * One line per forward and per service, then one per open stream, for operators:
     * {@code forward imap 127.0.0.1:1143 -> birlinghoven imap}, {@code service imap -> mail.example:143
     * for tokyo: 1 open}, {@code stream imap from 127.0.0.1:50312 via birlinghoven: 1834 octets out, 96211 in, 12 s}.
     */
    public List<String> status() {
        List<String> lines = new ArrayList<>();
        for (ForwardListener l : listeners) {
            ForwardingConfig.Forward f = l.forward();
            lines.add("forward " + f.name() + " " + f.listen().getAddress().getHostAddress() + ":" + l.port() + " -> "
                    + f.peer() + " " + f.service());
        }
        Map<String, Integer> counts = offered.openStreams();
        for (ForwardingConfig.Service s : config.services()) {
            lines.add("service " + s.name() + " -> " + s.target() + " for " + String.join(", ", new java.util.TreeSet<>(s.peers()))
                    + ": " + counts.getOrDefault(s.name(), 0) + " open (at most " + s.maxStreams() + ")");
        }
        for (StreamSplice s : open) {
            if (s.stream().closedReason() == null) {
                lines.add("stream " + s.label() + ": " + s.stream().octetsOut() + " octets out, " + s.stream().octetsIn()
                        + " in, " + Duration.between(s.stream().openedAt(), java.time.Instant.now()).toSeconds() + " s");
            }
        }
        return lines;
    }

    /** Stops accepting and closes every stream. */
    @Override
    public void close() {
        idleCheck.shutdownNow();
        listeners.forEach(ForwardListener::close);
        offered.close();
        for (StreamSplice s : open) {
            s.close("relay stopping");
        }
    }
}
