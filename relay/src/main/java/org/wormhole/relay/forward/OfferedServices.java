package org.wormhole.relay.forward;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.wormhole.link.LinkStream;
import org.wormhole.link.StreamOpening;
import org.wormhole.relay.config.ForwardingConfig;

/**
 * This site's side of the services it offers (the {@code services} block): a peer's request for
 * a stream is refused unless that service is offered to that peer and has a stream to spare;
 * otherwise the service's target is connected (within its connect timeout, on a thread of its
 * own: the link's reader is never held up) and only then the stream accepted, so a target that
 * refuses or does not answer closes the stream at once, with the reason, at the other site.
 */
final class OfferedServices {

    private static final Logger log = LoggerFactory.getLogger("forward");

    private final Map<String, ForwardingConfig.Service> services;
    private final Map<String, AtomicInteger> open = new ConcurrentHashMap<>();
    private final Consumer<Spliced> spliced;
    private final ExecutorService connecting = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "service-connect");
        t.setDaemon(true);
        return t;
    });

    /** A stream joined to its target's connection, and the service it is for (its idle timeout). */
    record Spliced(ForwardingConfig.Service service, StreamSplice splice) {
    }

    /** @param spliced told of each stream joined to its target (ForwardedServices watches their idle time) */
    OfferedServices(List<ForwardingConfig.Service> services, Consumer<Spliced> spliced) {
        this.services = services.stream().collect(Collectors.toUnmodifiableMap(ForwardingConfig.Service::name, s -> s));
        this.spliced = spliced;
        services.forEach(s -> open.put(s.name(), new AtomicInteger()));
    }

    /** A peer asks for a stream (on the link's reader thread: returns at once). */
    void requested(String peer, StreamOpening request) {
        ForwardingConfig.Service service = services.get(request.service());
        if (service == null || !service.peers().contains(peer)) {
            // The same answer whether it does not exist or is not offered to this peer.
            log.warn("stream {} refused for {}: no such service offered to it", printable(request.service()), peer);
            request.refuse("no such service");
            return;
        }
        AtomicInteger count = open.get(service.name());
        if (count.incrementAndGet() > service.maxStreams()) {
            count.decrementAndGet();
            log.warn("stream {} refused for {}: {} streams open, its max_streams", service.name(), peer, service.maxStreams());
            request.refuse("too many streams to " + service.name() + " (at most " + service.maxStreams() + ")");
            return;
        }
        try {
            connecting.execute(() -> connect(peer, service, request, count));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            count.decrementAndGet();
            request.refuse("relay stopping");
        }
    }

    private void connect(String peer, ForwardingConfig.Service service, StreamOpening request, AtomicInteger count) {
        Socket target = new Socket();
        try {
            target.setTcpNoDelay(true);
            target.connect(new InetSocketAddress(service.host(), service.port()), (int) service.connectTimeout().toMillis());
        } catch (IOException e) {
            count.decrementAndGet();
            closeQuietly(target);
            String why = "cannot connect to " + service.target() + ": " + (e instanceof SocketTimeoutException
                    ? "no answer within " + service.connectTimeout().toSeconds() + " s"
                    : e.getMessage() == null ? e.toString() : e.getMessage());
            log.warn("stream {} for {} refused: {}", service.name(), peer, why);
            request.refuse(why);
            return;
        }
        LinkStream stream = request.accept();
        StreamSplice splice = new StreamSplice(service.name() + " for " + peer + " to " + service.target(), target, stream,
                s -> count.decrementAndGet());
        spliced.accept(new Spliced(service, splice));
        splice.start();
    }

    /** Streams open to each service, in configuration order of names. */
    Map<String, Integer> openStreams() {
        return open.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().get()));
    }

    void close() {
        connecting.shutdownNow();
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing
        }
    }

    /** A name the peer sent, safe for a log line. */
    private static String printable(String s) {
        return s.replaceAll("[^\\x21-\\x7e]", "?");
    }
}
