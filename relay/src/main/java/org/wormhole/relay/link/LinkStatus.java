package org.wormhole.relay.link;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import org.wormhole.link.LinkTraffic;

/**
 * What {@code wormhole link status} shows of the link to one peer: a snapshot taken by the
 * running relay, sent over the control socket as one line ({@link #toLine}, {@link #parse}).
 *
 * @param peer            the peer's configured name
 * @param address         where it is dialed ({@code host:port}), or where it dials from for an accepted link
 * @param dial            whether this side dials it
 * @param state           up, connecting (this side dials, the link is not up) or down (waiting for the peer to dial);
 *                        classic for a peer reached by SMTP over TLS (no link: its mail waits in the queue)
 * @param since           when the link came up or went down
 * @param rtt             the last keepalive round trip; null if not measured (yet) or not up
 * @param traffic         mail carried over the links to this peer since the relay started
 * @param waiting         messages in the queue with a recipient routed to this peer
 * @param reconnects      times the link came up again after the first
 * @param lastError       why the link last went down, or the last failed dial; null if never
 * @param lastErrorAt     when; null if never
 * @param presentedPin    the pin of the key the peer presented on the current link; null if not up
 * @param configuredPins  the pins configured for it
 * @param peerNotAfter    when the peer's certificate (as presented) expires; null if not up
 * @param ownNotAfter     when this site's certificate expires
 * @param rekeys          TLS KeyUpdates this side sent on the current link; -1: the peer rekeys it (the
 *                        side that dialed a link rekeys it)
 * @param lastRekey       when this side last rekeyed the current link; null if never
 * @param lastRefusal     the last key refused in a handshake with this peer, by either side; null if none
 */
public record LinkStatus(String peer, String address, boolean dial, State state, Instant since, Duration rtt,
                         LinkTraffic.Counts traffic, int waiting, int reconnects, String lastError,
                         Instant lastErrorAt, String presentedPin, List<String> configuredPins, Instant peerNotAfter,
                         Instant ownNotAfter, int rekeys, Instant lastRekey, Refusal lastRefusal) {

    /**
     * A key refused in a TLS handshake with the peer (a pin missing on one side).
     *
     * @param byPeer true: the peer refused this site's key; false: this side refused the peer's
     * @param pin    the refused key's pin (this site's, or the one the peer presented); null: no certificate
     * @param at     when
     * @param from   the other end of that connection ({@code host:port})
     */
    public record Refusal(boolean byPeer, String pin, Instant at, String from) {

        /** As {@code link status} says it, e.g. {@code the peer refused this site's key sha256/...}. */
        public String text() {
            return byPeer ? "the peer refused this site's key " + pin + ": is it in their pins?"
                    : "this side refused the peer's key " + (pin == null ? "(none presented)" : pin)
                            + ": it is not among the pins configured here";
        }
    }

    /** Without a refusal. */
    public LinkStatus(String peer, String address, boolean dial, State state, Instant since, Duration rtt,
                      LinkTraffic.Counts traffic, int waiting, int reconnects, String lastError,
                      Instant lastErrorAt, String presentedPin, List<String> configuredPins, Instant peerNotAfter,
                      Instant ownNotAfter, int rekeys, Instant lastRekey) {
        this(peer, address, dial, state, since, rtt, traffic, waiting, reconnects, lastError, lastErrorAt, presentedPin,
                configuredPins, peerNotAfter, ownNotAfter, rekeys, lastRekey, null);
    }

    /** The state of a link. */
    public enum State {
        UP, CONNECTING, DOWN, CLASSIC;

        public String word() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public LinkStatus {
        configuredPins = List.copyOf(configuredPins);
    }

    /** One line of {@code key=value} pairs, values URL-encoded, empty for null. */
    public String toLine() {
        StringJoiner j = new StringJoiner(" ");
        put(j, "peer", peer);
        put(j, "address", address);
        put(j, "dial", Boolean.toString(dial));
        put(j, "state", state.word());
        put(j, "since", since);
        put(j, "rtt_us", rtt == null ? null : Long.toString(rtt.toNanos() / 1000));
        put(j, "msgs_sent", Long.toString(traffic.messagesSent()));
        put(j, "bytes_sent", Long.toString(traffic.bytesSent()));
        put(j, "msgs_received", Long.toString(traffic.messagesReceived()));
        put(j, "bytes_received", Long.toString(traffic.bytesReceived()));
        put(j, "waiting", Integer.toString(waiting));
        put(j, "reconnects", Integer.toString(reconnects));
        put(j, "last_error", lastError);
        put(j, "last_error_at", lastErrorAt);
        put(j, "pin", presentedPin);
        put(j, "pins", String.join(",", configuredPins));
        put(j, "peer_not_after", peerNotAfter);
        put(j, "own_not_after", ownNotAfter);
        put(j, "rekeys", Integer.toString(rekeys));
        put(j, "last_rekey", lastRekey);
        put(j, "refused_by", lastRefusal == null ? null : lastRefusal.byPeer() ? "peer" : "self");
        put(j, "refused_pin", lastRefusal == null ? null : lastRefusal.pin());
        put(j, "refused_at", lastRefusal == null ? null : lastRefusal.at());
        put(j, "refused_from", lastRefusal == null ? null : lastRefusal.from());
        return j.toString();
    }

    /**
     * Reads a line written by {@link #toLine}.
     *
     * @throws IllegalArgumentException it is not one
     */
    public static LinkStatus parse(String line) {
        Map<String, String> f = new HashMap<>();
        for (String pair : line.strip().split(" ")) {
            int eq = pair.indexOf('=');
            if (eq < 1) {
                throw new IllegalArgumentException("not a link status line: " + line);
            }
            String v = URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            f.put(pair.substring(0, eq), v.isEmpty() ? null : v);
        }
        try {
            String pins = f.get("pins");
            return new LinkStatus(f.get("peer"), f.get("address"), Boolean.parseBoolean(f.get("dial")),
                    State.valueOf(f.get("state").toUpperCase(java.util.Locale.ROOT)), instant(f.get("since")),
                    f.get("rtt_us") == null ? null : Duration.ofNanos(Long.parseLong(f.get("rtt_us")) * 1000),
                    new LinkTraffic.Counts(Long.parseLong(f.get("msgs_sent")), Long.parseLong(f.get("bytes_sent")),
                            Long.parseLong(f.get("msgs_received")), Long.parseLong(f.get("bytes_received"))),
                    Integer.parseInt(f.get("waiting")), Integer.parseInt(f.get("reconnects")), f.get("last_error"),
                    instant(f.get("last_error_at")), f.get("pin"),
                    pins == null ? List.of() : Arrays.asList(pins.split(",")), instant(f.get("peer_not_after")),
                    instant(f.get("own_not_after")), Integer.parseInt(f.get("rekeys")), instant(f.get("last_rekey")),
                    f.get("refused_by") == null ? null : new Refusal("peer".equals(f.get("refused_by")),
                            f.get("refused_pin"), instant(f.get("refused_at")), f.get("refused_from")));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not a link status line (" + e.getMessage() + "): " + line, e);
        }
    }

    private static void put(StringJoiner j, String key, Object value) {
        j.add(key + "=" + (value == null ? "" : URLEncoder.encode(value.toString(), StandardCharsets.UTF_8)));
    }

    private static Instant instant(String s) {
        return s == null ? null : Instant.parse(s);
    }
}
