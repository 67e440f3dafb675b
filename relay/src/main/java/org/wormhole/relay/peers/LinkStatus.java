package org.wormhole.relay.peers;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;
import org.wormhole.link.LinkTraffic;

/**
 * What {@code wormhole link status} shows of the link to one peer: a snapshot taken by the
 * running relay, sent over the control socket as one line ({@link #toLine}, {@link #parse}).
 *
 * <p>Its values, each read by the getter of its name:
 * <ul>
 * <li>{@code peer}: the peer's configured name
 * <li>{@code address}: where it is dialed ({@code host:port}), or where it dials from for an accepted link
 * <li>{@code dial}: whether this side dials it
 * <li>{@code state}: up, connecting (this side dials, the link is not up) or down (waiting for the peer to dial);
 *     classic for a peer reached by SMTP over TLS (no link: its mail waits in the queue)
 * <li>{@code since}: when the link came up or went down
 * <li>{@code rtt}: the last keepalive round trip; null if not measured (yet) or not up
 * <li>{@code traffic}: mail carried over the links to this peer since the relay started
 * <li>{@code waiting}: messages in the queue with a recipient routed to this peer
 * <li>{@code reconnects}: times the link came up again after the first
 * <li>{@code lastError}: why the link last went down, or the last failed dial; null if never
 * <li>{@code lastErrorAt}: when; null if never
 * <li>{@code presentedPin}: the pin of the key the peer presented on the current link; null if not up
 * <li>{@code configuredPins}: the pins configured for it
 * <li>{@code peerNotAfter}: when the peer's certificate (as presented) expires; null if not up
 * <li>{@code ownNotAfter}: when this site's certificate expires
 * <li>{@code rekeys}: TLS KeyUpdates this side sent on the current link; -1: the peer rekeys it (the
 *     side that dialed a link rekeys it)
 * <li>{@code lastRekey}: when this side last rekeyed the current link; null if never
 * <li>{@code lastRefusal}: the last key refused in a handshake with this peer, by either side; null if none
 * </ul>
 * <p>Built by name ({@link #builder}, {@link #toBuilder}), never by position: eighteen values, several of
 * the same type, would swap silently in a positional constructor.
 *
 * <p>Longer than our classes usually are, and flat: eighteen getters, their builder and the one-line
 * form ({@link #toLine}, {@link #parse}) of one value object; split, each part would only repeat the
 * list of values.
 */
public final class LinkStatus {

    /** The values, compared as a whole ({@link #equals}). */
    private record Values(String peer, String address, boolean dial, State state, Instant since, Duration rtt,
                          LinkTraffic.Counts traffic, int waiting, int reconnects, String lastError,
                          Instant lastErrorAt, String presentedPin, List<String> configuredPins, Instant peerNotAfter,
                          Instant ownNotAfter, int rekeys, Instant lastRekey, Refusal lastRefusal, int lanes) {
        Values {
            configuredPins = List.copyOf(configuredPins);
        }
    }

    private final Values v;

    private LinkStatus(Values v) {
        this.v = v;
    }

    /** A status of the link to {@code peer}; every other value unset (null, 0, false, no pins, no traffic). */
    public static Builder builder(String peer) {
        return new Builder().peer(peer);
    }

    /** A builder holding this status's values, to change some of them. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.peer = v.peer();
        b.address = v.address();
        b.dial = v.dial();
        b.state = v.state();
        b.since = v.since();
        b.rtt = v.rtt();
        b.traffic = v.traffic();
        b.waiting = v.waiting();
        b.reconnects = v.reconnects();
        b.lastError = v.lastError();
        b.lastErrorAt = v.lastErrorAt();
        b.presentedPin = v.presentedPin();
        b.configuredPins = v.configuredPins();
        b.peerNotAfter = v.peerNotAfter();
        b.ownNotAfter = v.ownNotAfter();
        b.rekeys = v.rekeys();
        b.lanes = v.lanes();
        b.lastRekey = v.lastRekey();
        b.lastRefusal = v.lastRefusal();
        return b;
    }

    public String peer() {
        return v.peer();
    }

    public String address() {
        return v.address();
    }

    public boolean dial() {
        return v.dial();
    }

    public State state() {
        return v.state();
    }

    public Instant since() {
        return v.since();
    }

    public Duration rtt() {
        return v.rtt();
    }

    public LinkTraffic.Counts traffic() {
        return v.traffic();
    }

    public int waiting() {
        return v.waiting();
    }

    public int reconnects() {
        return v.reconnects();
    }

    public String lastError() {
        return v.lastError();
    }

    public Instant lastErrorAt() {
        return v.lastErrorAt();
    }

    public String presentedPin() {
        return v.presentedPin();
    }

    public List<String> configuredPins() {
        return v.configuredPins();
    }

    public Instant peerNotAfter() {
        return v.peerNotAfter();
    }

    public Instant ownNotAfter() {
        return v.ownNotAfter();
    }

    public int rekeys() {
        return v.rekeys();
    }

    /** The TCP connections the link is carried by now (PROTOCOL.md "Lanes"); 0 while it is not up. */
    public int lanes() {
        return v.lanes();
    }

    public Instant lastRekey() {
        return v.lastRekey();
    }

    public Refusal lastRefusal() {
        return v.lastRefusal();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LinkStatus other && v.equals(other.v);
    }

    @Override
    public int hashCode() {
        return v.hashCode();
    }

    @Override
    public String toString() {
        return "LinkStatus" + v.toString().substring("Values".length());
    }

    /** Sets a {@link LinkStatus}'s values by name. */
    public static final class Builder {
        private String peer;
        private String address;
        private boolean dial;
        private State state;
        private Instant since;
        private Duration rtt;
        private LinkTraffic.Counts traffic = new LinkTraffic.Counts(0, 0, 0, 0);
        private int waiting;
        private int reconnects;
        private String lastError;
        private Instant lastErrorAt;
        private String presentedPin;
        private List<String> configuredPins = List.of();
        private Instant peerNotAfter;
        private Instant ownNotAfter;
        private int rekeys;
        private int lanes;
        private Instant lastRekey;
        private Refusal lastRefusal;

        private Builder() {
        }

        public Builder peer(String peer) {
            this.peer = peer;
            return this;
        }

        public Builder address(String address) {
            this.address = address;
            return this;
        }

        public Builder dial(boolean dial) {
            this.dial = dial;
            return this;
        }

        public Builder state(State state) {
            this.state = state;
            return this;
        }

        public Builder since(Instant since) {
            this.since = since;
            return this;
        }

        public Builder rtt(Duration rtt) {
            this.rtt = rtt;
            return this;
        }

        public Builder traffic(LinkTraffic.Counts traffic) {
            this.traffic = traffic;
            return this;
        }

        public Builder waiting(int waiting) {
            this.waiting = waiting;
            return this;
        }

        public Builder reconnects(int reconnects) {
            this.reconnects = reconnects;
            return this;
        }

        public Builder lastError(String lastError) {
            this.lastError = lastError;
            return this;
        }

        public Builder lastErrorAt(Instant lastErrorAt) {
            this.lastErrorAt = lastErrorAt;
            return this;
        }

        public Builder presentedPin(String presentedPin) {
            this.presentedPin = presentedPin;
            return this;
        }

        public Builder configuredPins(List<String> configuredPins) {
            this.configuredPins = configuredPins;
            return this;
        }

        public Builder peerNotAfter(Instant peerNotAfter) {
            this.peerNotAfter = peerNotAfter;
            return this;
        }

        public Builder ownNotAfter(Instant ownNotAfter) {
            this.ownNotAfter = ownNotAfter;
            return this;
        }

        public Builder lanes(int lanes) {
            this.lanes = lanes;
            return this;
        }

        public Builder rekeys(int rekeys) {
            this.rekeys = rekeys;
            return this;
        }

        public Builder lastRekey(Instant lastRekey) {
            this.lastRekey = lastRekey;
            return this;
        }

        public Builder lastRefusal(Refusal lastRefusal) {
            this.lastRefusal = lastRefusal;
            return this;
        }

        public LinkStatus build() {
            return new LinkStatus(new Values(peer, address, dial, state, since, rtt, traffic, waiting, reconnects,
                    lastError, lastErrorAt, presentedPin, configuredPins, peerNotAfter, ownNotAfter, rekeys, lastRekey,
                    lastRefusal, lanes));
        }
    }

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

    /** The state of a link. */
    public enum State {
        UP, CONNECTING, DOWN, CLASSIC;

        public String word() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** One line of {@code key=value} pairs, values URL-encoded, empty for null. */
    public String toLine() {
        StringJoiner j = new StringJoiner(" ");
        put(j, "peer", v.peer());
        put(j, "address", v.address());
        put(j, "dial", Boolean.toString(v.dial()));
        put(j, "state", v.state().word());
        put(j, "since", v.since());
        put(j, "rtt_us", v.rtt() == null ? null : Long.toString(v.rtt().toNanos() / 1000));
        put(j, "msgs_sent", Long.toString(v.traffic().messagesSent()));
        put(j, "bytes_sent", Long.toString(v.traffic().bytesSent()));
        put(j, "msgs_received", Long.toString(v.traffic().messagesReceived()));
        put(j, "bytes_received", Long.toString(v.traffic().bytesReceived()));
        put(j, "waiting", Integer.toString(v.waiting()));
        put(j, "reconnects", Integer.toString(v.reconnects()));
        put(j, "last_error", v.lastError());
        put(j, "last_error_at", v.lastErrorAt());
        put(j, "pin", v.presentedPin());
        put(j, "pins", String.join(",", v.configuredPins()));
        put(j, "peer_not_after", v.peerNotAfter());
        put(j, "own_not_after", v.ownNotAfter());
        put(j, "rekeys", Integer.toString(v.rekeys()));
        put(j, "lanes", Integer.toString(v.lanes()));
        put(j, "last_rekey", v.lastRekey());
        put(j, "refused_by", v.lastRefusal() == null ? null : v.lastRefusal().byPeer() ? "peer" : "self");
        put(j, "refused_pin", v.lastRefusal() == null ? null : v.lastRefusal().pin());
        put(j, "refused_at", v.lastRefusal() == null ? null : v.lastRefusal().at());
        put(j, "refused_from", v.lastRefusal() == null ? null : v.lastRefusal().from());
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
            return builder(f.get("peer")).address(f.get("address")).dial(Boolean.parseBoolean(f.get("dial")))
                    .state(State.valueOf(f.get("state").toUpperCase(Locale.ROOT))).since(instant(f.get("since")))
                    .rtt(f.get("rtt_us") == null ? null : Duration.ofNanos(Long.parseLong(f.get("rtt_us")) * 1000))
                    .traffic(new LinkTraffic.Counts(Long.parseLong(f.get("msgs_sent")), Long.parseLong(f.get("bytes_sent")),
                            Long.parseLong(f.get("msgs_received")), Long.parseLong(f.get("bytes_received"))))
                    .waiting(Integer.parseInt(f.get("waiting"))).reconnects(Integer.parseInt(f.get("reconnects")))
                    .lastError(f.get("last_error")).lastErrorAt(instant(f.get("last_error_at")))
                    .presentedPin(f.get("pin"))
                    .configuredPins(pins == null ? List.of() : Arrays.asList(pins.split(",")))
                    .peerNotAfter(instant(f.get("peer_not_after"))).ownNotAfter(instant(f.get("own_not_after")))
                    .rekeys(Integer.parseInt(f.get("rekeys"))).lastRekey(instant(f.get("last_rekey")))
                    .lanes(f.get("lanes") == null ? 0 : Integer.parseInt(f.get("lanes")))
                    .lastRefusal(f.get("refused_by") == null ? null : new Refusal("peer".equals(f.get("refused_by")),
                            f.get("refused_pin"), instant(f.get("refused_at")), f.get("refused_from")))
                    .build();
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
