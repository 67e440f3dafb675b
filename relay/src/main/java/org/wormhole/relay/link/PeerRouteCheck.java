package org.wormhole.relay.link;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.wormhole.mailertable.LineError;
import org.wormhole.mailertable.Mailer;
import org.wormhole.mailertable.Mailertable;
import org.wormhole.mailertable.Nexthop;
import org.wormhole.mailertable.Route;
import org.wormhole.mailertable.TableCheck;
import org.wormhole.relay.config.RelayConfig;

/**
 * The check of a mailertable's {@code tsmtp} routes against the relay's configuration: a route
 * to a peer that is not configured is an error (its mail could only wait in the queue until it
 * bounces), and a route that points at this site itself is a warning (its mail would go round
 * until the hop limit bounces it).
 *
 * <p>A route names its peer as {@code tsmtp:NAME} or {@code tsmtp:[host]} (the peer's name or its
 * address), exactly as the {@code tsmtp} mailer resolves it ({@link #peerFor}). Template values
 * ({@code tsmtp:%1}) are only known per lookup and are not checked.
 */
public final class PeerRouteCheck implements TableCheck {

    /**
     * What the check found. Each prints as {@code FILE:LINE: what is wrong}; a warning's message
     * starts with {@code warning: }.
     */
    public record Findings(List<LineError> errors, List<LineError> warnings) {
    }

    private final List<RelayConfig.PeerConfig> peers;
    private final String myhostname;
    private final Optional<InetSocketAddress> linkListen;

    public PeerRouteCheck(RelayConfig config) {
        this(config.peers(), config.myhostname(), config.link().listen());
    }

    public PeerRouteCheck(List<RelayConfig.PeerConfig> peers, String myhostname, Optional<InetSocketAddress> linkListen) {
        this.peers = List.copyOf(peers);
        this.myhostname = myhostname;
        this.linkListen = linkListen;
    }

    /**
     * The peer a {@code tsmtp} nexthop names: for {@code NAME}, the peer of that name; otherwise
     * (and for {@code [host]}) the first peer whose name or address is the host.
     */
    public static Optional<RelayConfig.PeerConfig> peerFor(Collection<RelayConfig.PeerConfig> peers, Nexthop nexthop) {
        String host = host(nexthop);
        if (nexthop.mxLookup()) {
            for (RelayConfig.PeerConfig p : peers) {
                if (p.name().equals(host)) {
                    return Optional.of(p);
                }
            }
        }
        for (RelayConfig.PeerConfig p : peers) {
            if (p.address().equalsIgnoreCase(host) || p.name().equalsIgnoreCase(host)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** The errors only: the relay refuses a table (at start or on an edit) that has any. */
    @Override
    public List<LineError> errors(Mailertable table) {
        return check(table).errors();
    }

    /** This check, handing each warning to {@code warn} (the relay logs them) and returning the errors. */
    public TableCheck warningsTo(Consumer<LineError> warn) {
        return table -> {
            Findings found = check(table);
            found.warnings().forEach(warn);
            return found.errors();
        };
    }

    /** Every finding, in file order. */
    public Findings check(Mailertable table) {
        List<LineError> errors = new ArrayList<>();
        List<LineError> warnings = new ArrayList<>();
        for (Mailertable.Rule rule : table.rules()) {
            if (!(rule.route().orElse(null) instanceof Route.Transport t) || t.mailer() != Mailer.TSMTP) {
                continue;
            }
            String host = host(t.nexthop());
            Optional<RelayConfig.PeerConfig> peer = peerFor(peers, t.nexthop());
            if (peer.isEmpty()) {
                errors.add(new LineError(table.source(), rule.line(),
                        "tsmtp route to unknown peer \"" + host + "\" (configured peers: " + describePeers() + ")"));
                ownName(host).ifPresent(what -> warnings.add(new LineError(table.source(), rule.line(),
                        "warning: tsmtp route points at this site itself (" + host + " is this site's " + what + ")")));
            } else {
                RelayConfig.PeerConfig p = peer.get();
                Optional<String> what = ownName(p.address());
                // Another relay on this machine has another link port; one that does not listen has none.
                boolean samePort = linkListen.isEmpty() || linkListen.get().getPort() == p.port();
                if (what.isPresent() && samePort) {
                    warnings.add(new LineError(table.source(), rule.line(),
                            "warning: tsmtp route points at this site itself (peer " + p.name() + " at " + p.address()
                                    + ":" + p.port() + " is this site's " + what.get()
                                    + (linkListen.isPresent() ? " and link_listen port)" : ")")));
                }
            }
        }
        return new Findings(errors, warnings);
    }

    /** Which of this site's own names {@code host} is, if it is one. */
    private Optional<String> ownName(String host) {
        if (!myhostname.isEmpty() && myhostname.equalsIgnoreCase(host)) {
            return Optional.of("myhostname");
        }
        if (linkListen.isPresent()) {
            InetSocketAddress a = linkListen.get();
            Set<String> names = new LinkedHashSet<>();
            names.add(a.getHostString().toLowerCase(Locale.ROOT));
            if (a.getAddress() != null && !a.getAddress().isAnyLocalAddress()) {
                names.add(a.getAddress().getHostAddress().toLowerCase(Locale.ROOT));
            }
            names.remove("0.0.0.0");
            names.remove("::");
            if (names.contains(host.toLowerCase(Locale.ROOT))) {
                return Optional.of("link_listen address");
            }
        }
        return Optional.empty();
    }

    private String describePeers() {
        return peers.isEmpty() ? "none"
                : peers.stream().map(p -> p.name().equalsIgnoreCase(p.address()) ? p.name() : p.name() + " at " + p.address())
                        .collect(Collectors.joining(", "));
    }

    /** The host a nexthop names, lower case, without the brackets of {@code [host]} or the {@code IPv6:} tag. */
    private static String host(Nexthop nexthop) {
        String host = nexthop.host().toLowerCase(Locale.ROOT);
        if (nexthop.isAddressLiteral()) {
            host = host.substring(1, host.length() - 1).replaceFirst("^ipv6:", "");
        }
        return host;
    }
}
