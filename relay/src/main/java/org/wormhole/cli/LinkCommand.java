package org.wormhole.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.wormhole.relay.config.RelayConfig;
import org.wormhole.relay.control.ControlClient;
import org.wormhole.relay.control.ControlServer;
import org.wormhole.relay.peers.CertificateExpiry;
import org.wormhole.relay.peers.LinkStatus;
import org.wormhole.relay.queue.Spool;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code wormhole link ...}: the links to the peer sites, as the running relay sees them. */
@Command(name = "link", mixinStandardHelpOptions = true,
        description = "Show the links to the peer sites.",
        subcommands = {LinkCommand.Status.class})
final class LinkCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand: status");
    }

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
            .withZone(ZoneId.systemDefault());
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyy-MM-dd")
            .withZone(ZoneId.systemDefault());

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = {"For each configured peer: state (up, connecting, down), since when, round-trip time,"
                    + " mail sent and received over the link, messages waiting for it, reconnects, last error,"
                    + " its key pins, certificate expiry and rekeys; then the forwarded services and their open streams."
                    + " Needs the running relay."})
    static final class Status extends SpoolCommand {
        @CommandLine.Option(names = "--json", description = "one JSON object per peer, in a JSON array")
        boolean json;

        @Override
        int run(RelayConfig c, Spool spool, PrintWriter out, PrintWriter err) throws IOException {
            Optional<ControlClient.Reply> reply = ask(spool, "link status");
            if (reply.isEmpty()) {
                return noRelayRunning(c, "link status needs the running relay (start it with 'wormhole run')", err);
            }
            if (!reply.get().ok()) {
                err.println(reply.get().text());
                return 1;
            }
            List<LinkStatus> links = new ArrayList<>();
            List<String> forwarding = new ArrayList<>();
            for (String line : reply.get().body()) {
                if (line.startsWith(ControlServer.FORWARDING)) {
                    forwarding.add(line.substring(ControlServer.FORWARDING.length()));
                } else {
                    links.add(LinkStatus.parse(line));
                }
            }
            Instant now = Clock.systemUTC().instant();
            if (json) {
                out.print(json(links, now));
            } else if (links.isEmpty()) {
                out.println("no peers are configured (see 'peers' in " + c.source() + ")");
            } else {
                out.print(table(links, now));
            }
            if (!json && !forwarding.isEmpty()) {
                out.println("forwarded services (streams cannot outlive their link):");
                forwarding.forEach(l -> out.println("    " + l));
            }
            return 0;
        }
    }

    /** The human report: a table row per peer, its keys and certificates on indented lines below. */
    static String table(List<LinkStatus> links, Instant now) {
        String fmt = "%-" + Math.max(4, links.stream().mapToInt(l -> l.peer().length()).max().orElse(4))
                + "s  %-10s  %-19s  %8s  %-22s  %-22s  %7s  %10s  %s%n";
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(fmt, "PEER", "STATE", "SINCE", "RTT", "SENT", "RECEIVED", "WAITING", "RECONNECTS",
                "LAST ERROR"));
        for (LinkStatus l : links) {
            sb.append(String.format(fmt, l.peer(), l.state().word(), TIME.format(l.since()), rtt(l.rtt()),
                    mail(l.traffic().messagesSent(), l.traffic().bytesSent()),
                    mail(l.traffic().messagesReceived(), l.traffic().bytesReceived()), l.waiting(), l.reconnects(),
                    l.lastError() == null ? "-" : l.lastError() + " (" + TIME.format(l.lastErrorAt()) + ")"));
            sb.append("    address ").append(l.address()).append(l.state() == LinkStatus.State.CLASSIC
                    ? " (a classic MTA: SMTP over TLS per delivery, no link; sent mail is in the log)"
                    : l.dial() ? " (this site dials it)" : " (it dials this site)").append('\n');
            if (l.lanes() > 0) {
                sb.append("    lanes   ").append(l.lanes()).append(l.lanes() == 1 ? " TCP connection" : " TCP connections")
                        .append('\n');
            }
            sb.append("    pins    configured ").append(String.join(", ", l.configuredPins())).append('\n');
            if (l.presentedPin() != null) {
                sb.append("            presented  ").append(l.presentedPin()).append('\n');
            }
            sb.append("    certs   ");
            if (l.peerNotAfter() != null) {
                sb.append("peer's expires ").append(DAY.format(l.peerNotAfter())).append(", ");
            }
            sb.append("this site's expires ").append(DAY.format(l.ownNotAfter())).append('\n');
            if (l.state() == LinkStatus.State.UP && l.rekeys() < 0) {
                sb.append("    rekeyed by the peer (the side that dialed a link rekeys it)\n");
            } else if (l.state() == LinkStatus.State.UP) {
                sb.append("    rekeyed ").append(l.rekeys()).append(l.rekeys() == 1 ? " time" : " times")
                        .append(l.lastRekey() == null ? "" : ", last at " + TIME.format(l.lastRekey()))
                        .append(" on this link\n");
            }
            if (l.lastRefusal() != null) {
                sb.append("    refused ").append(l.lastRefusal().text()).append(" (")
                        .append(TIME.format(l.lastRefusal().at())).append(", connection with ")
                        .append(l.lastRefusal().from()).append(")\n");
            }
            CertificateExpiry.warning(l.peerNotAfter(), now).ifPresent(w ->
                    sb.append("    WARNING: the peer's certificate ").append(w).append('\n'));
            CertificateExpiry.warning(l.ownNotAfter(), now).ifPresent(w ->
                    sb.append("    WARNING: this site's certificate ").append(w).append('\n'));
        }
        return sb.toString();
    }

    static String rtt(Duration rtt) {
        if (rtt == null) {
            return "-";
        }
        long us = rtt.toNanos() / 1000;
        return us < 10_000 ? String.format(Locale.ROOT, "%.1f ms", us / 1000.0) : (us / 1000) + " ms";
    }

    static String mail(long messages, long bytes) {
        return messages + (messages == 1 ? " msg, " : " msgs, ") + size(bytes);
    }

    static String size(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = bytes;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }

    static String json(List<LinkStatus> links, Instant now) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < links.size(); i++) {
            LinkStatus l = links.get(i);
            sb.append(i == 0 ? "\n  {" : ",\n  {");
            field(sb, "peer", l.peer(), true);
            field(sb, "address", l.address(), false);
            raw(sb, "dial", Boolean.toString(l.dial()));
            field(sb, "state", l.state().word(), false);
            field(sb, "since", l.since(), false);
            raw(sb, "rtt_ms", l.rtt() == null ? "null" : String.format(Locale.ROOT, "%.3f", l.rtt().toNanos() / 1e6));
            raw(sb, "messages_sent", Long.toString(l.traffic().messagesSent()));
            raw(sb, "bytes_sent", Long.toString(l.traffic().bytesSent()));
            raw(sb, "messages_received", Long.toString(l.traffic().messagesReceived()));
            raw(sb, "bytes_received", Long.toString(l.traffic().bytesReceived()));
            raw(sb, "waiting", Integer.toString(l.waiting()));
            raw(sb, "reconnects", Integer.toString(l.reconnects()));
            field(sb, "last_error", l.lastError(), false);
            field(sb, "last_error_at", l.lastErrorAt(), false);
            field(sb, "presented_pin", l.presentedPin(), false);
            sb.append(", \"configured_pins\": [");
            for (int p = 0; p < l.configuredPins().size(); p++) {
                sb.append(p == 0 ? "" : ", ").append(quote(l.configuredPins().get(p)));
            }
            sb.append(']');
            field(sb, "peer_certificate_not_after", l.peerNotAfter(), false);
            field(sb, "own_certificate_not_after", l.ownNotAfter(), false);
            raw(sb, "rekeys", Integer.toString(l.rekeys()));
            raw(sb, "lanes", Integer.toString(l.lanes()));
            field(sb, "last_rekey", l.lastRekey(), false);
            if (l.lastRefusal() == null) {
                raw(sb, "last_refusal", "null");
            } else {
                sb.append(", \"last_refusal\": {");
                field(sb, "refused_by", l.lastRefusal().byPeer() ? "the peer" : "this side", true);
                field(sb, "pin", l.lastRefusal().pin(), false);
                field(sb, "at", l.lastRefusal().at(), false);
                field(sb, "connection_with", l.lastRefusal().from(), false);
                field(sb, "text", l.lastRefusal().text(), false);
                sb.append('}');
            }
            List<String> warnings = new ArrayList<>();
            CertificateExpiry.warning(l.peerNotAfter(), now).ifPresent(w -> warnings.add("the peer's certificate " + w));
            CertificateExpiry.warning(l.ownNotAfter(), now).ifPresent(w -> warnings.add("this site's certificate " + w));
            sb.append(", \"warnings\": [");
            for (int w = 0; w < warnings.size(); w++) {
                sb.append(w == 0 ? "" : ", ").append(quote(warnings.get(w)));
            }
            sb.append("]}");
        }
        return sb.append(links.isEmpty() ? "]\n" : "\n]\n").toString();
    }

    private static void field(StringBuilder sb, String name, Object value, boolean first) {
        sb.append(first ? "" : ", ").append(quote(name)).append(": ")
                .append(value == null ? "null" : quote(value.toString()));
    }

    private static void raw(StringBuilder sb, String name, String value) {
        sb.append(", ").append(quote(name)).append(": ").append(value);
    }

    private static String quote(String s) {
        StringBuilder q = new StringBuilder("\"");
        for (char ch : s.toCharArray()) {
            switch (ch) {
                case '"' -> q.append("\\\"");
                case '\\' -> q.append("\\\\");
                default -> {
                    if (ch < 0x20) {
                        q.append(String.format("\\u%04x", (int) ch));
                    } else {
                        q.append(ch);
                    }
                }
            }
        }
        return q.append('"').toString();
    }
}
