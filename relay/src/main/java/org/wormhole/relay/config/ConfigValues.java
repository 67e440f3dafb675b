package org.wormhole.relay.config;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import org.wormhole.relay.delivery.smtp.SmtpClientOptions;

/**
 * The checks and conversions of single configuration values (a port, a listen address, a domain,
 * a duration that must be positive...). Each throws IllegalArgumentException with the words the
 * operator reads after {@code FILE:LINE: key: }.
 */
final class ConfigValues {

    private final Path home;

    /** @param home what relative paths are relative to (WORMHOLE_HOME) */
    ConfigValues(Path home) {
        this.home = home;
    }

    String hostname(String s) {
        if (s.isBlank()) {
            return MachineHostname.get();
        }
        return domain(s);
    }

    static String domain(String s) {
        String d = s.strip().toLowerCase(Locale.ROOT);
        String bare = d.startsWith(".") ? d.substring(1) : d;
        if (bare.isEmpty() || !bare.matches("[a-z0-9_-]+(\\.[a-z0-9_-]+)*\\.?")) {
            throw new IllegalArgumentException("'" + s + "' is not a domain name");
        }
        return d.endsWith(".") ? d.substring(0, d.length() - 1) : d;
    }

    static InetSocketAddress listen(String s) {
        int colon = s.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("'" + s + "': expected address:port, e.g. 127.0.0.1:2525");
        }
        String host = s.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port = port(parseInt(s.substring(colon + 1), s));
        try {
            return new InetSocketAddress(InetAddress.getByName(host), port);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("'" + host + "' is not an address of this machine");
        }
    }

    static int parseInt(String text, String whole) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + whole + "': bad port '" + text + "'");
        }
    }

    static int port(int p) {
        if (p < 0 || p > 65535) {
            throw new IllegalArgumentException("port " + p + " is not 0-65535");
        }
        return p;
    }

    Optional<Path> optionalPath(String s) {
        return s.isBlank() ? Optional.empty() : Optional.of(path(s));
    }

    Path path(String s) {
        Path p = Path.of(s);
        return p.isAbsolute() ? p : home.resolve(p).normalize();
    }

    static long positive(long v) {
        if (v <= 0) {
            throw new IllegalArgumentException("must be greater than 0");
        }
        return v;
    }

    static Duration positive(Duration d) {
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("must be longer than 0s");
        }
        return d;
    }

    /** 0 (never), or enough octets that rekeying cannot become a storm of KeyUpdates. */
    static long rekeyBytes(long v) {
        if (v != 0 && v < MIN_REKEY_BYTES) {
            throw new IllegalArgumentException("must be 0 (never) or at least 64KiB");
        }
        return v;
    }

    private static final long MIN_REKEY_BYTES = 64 * 1024;

    /** link_lanes: the TCP connections of one link, 1..16. */
    static long lanes(int v) {
        if (v < 1 || v > 16) {
            throw new IllegalArgumentException("must be 1..16: " + v);
        }
        return v;
    }

    /** smtp_line_length_limit: 0 (no folding), else room for content after the space of a fold. */
    static long lineLengthLimit(int v) {
        int min = SmtpClientOptions.MIN_LINE_LENGTH_LIMIT;
        if (v != 0 && v < min) {
            throw new IllegalArgumentException("must be 0 (no folding) or at least " + min + ": " + v);
        }
        return v;
    }

    static long notNegative(long v) {
        if (v < 0) {
            throw new IllegalArgumentException("must not be negative");
        }
        return v;
    }

    static Duration notNegative(Duration d) {
        if (d.isNegative()) {
            throw new IllegalArgumentException("must not be negative");
        }
        return d;
    }

    static RelayConfig.TlsLevel tlsLevel(String s) {
        return switch (s.strip().toLowerCase(Locale.ROOT)) {
            case "may" -> RelayConfig.TlsLevel.MAY;
            case "none" -> RelayConfig.TlsLevel.NONE;
            default -> throw new IllegalArgumentException("'" + s + "': expected may or none");
        };
    }
}
