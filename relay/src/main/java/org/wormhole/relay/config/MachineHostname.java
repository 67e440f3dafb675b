package org.wormhole.relay.config;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

/**
 * The machine's fully qualified name, for an empty {@code myhostname} (as Postfix's default):
 * the host name the kernel has ({@code gethostname}); when that has no dot, the canonical name
 * the resolver gives for it, if that is a domain name with a dot and not {@code localhost}. A
 * host whose name resolves to 127.0.0.1, whose canonical name is "localhost" (a common
 * /etc/hosts), keeps its own short name: it never becomes "localhost".
 */
final class MachineHostname {

    private MachineHostname() {
    }

    /** The name of this machine, as above. */
    static String get() {
        Optional<String> host = kernelHostname();
        if (host.isEmpty()) {
            return "localhost";
        }
        return choose(host.get(), name -> {
            try {
                return InetAddress.getByName(name).getCanonicalHostName();
            } catch (UnknownHostException e) {
                return null;
            }
        });
    }

    /**
     * The fully qualified name for host name {@code host}, given what the resolver answers as
     * the canonical name of a name ({@code null}: it does not resolve).
     */
    static String choose(String host, Function<String, String> canonicalName) {
        String h = host.strip().toLowerCase(Locale.ROOT);
        if (h.contains(".") || h.isEmpty()) {
            return h.isEmpty() ? "localhost" : h;
        }
        String canonical = canonicalName.apply(h);
        if (canonical == null) {
            return h;
        }
        String c = canonical.toLowerCase(Locale.ROOT);
        boolean domainName = c.contains(".") && c.matches("[a-z0-9_-]+(\\.[a-z0-9_-]+)+")
                && !c.matches("[0-9.]+") && !c.equals("localhost") && !c.startsWith("localhost.");
        return domainName ? c : h;
    }

    private static Optional<String> kernelHostname() {
        try {
            String n = InetAddress.getLocalHost().getHostName();
            if (!n.isBlank()) {
                return Optional.of(n);
            }
        } catch (UnknownHostException e) {
            // the name does not resolve: read it where the kernel keeps it
        }
        try {
            String n = Files.readString(Path.of("/proc/sys/kernel/hostname"), StandardCharsets.US_ASCII).strip();
            return n.isEmpty() ? Optional.empty() : Optional.of(n);
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
