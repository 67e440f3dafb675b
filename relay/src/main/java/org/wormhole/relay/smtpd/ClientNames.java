package org.wormhole.relay.smtpd;

import java.net.InetAddress;
import java.util.Locale;
import java.util.Optional;

/**
 * The name of an SMTP client as Postfix's smtpd logs it: the reverse DNS name of its address,
 * only when that name resolves back to the same address ("forward-confirmed"), else
 * {@code unknown}. Looked up once per session, at connect. A network seam: the real one asks
 * the system resolver (hosts file, then DNS); tests give a fake.
 */
@FunctionalInterface
public interface ClientNames {

    /** The verified name of {@code address}, or empty when it has none (logged as {@code unknown}). */
    Optional<String> verifiedName(InetAddress address);

    /** The system resolver: {@link InetAddress#getCanonicalHostName()} does the PTR and the forward check. */
    ClientNames SYSTEM = address -> {
        String name = address.getCanonicalHostName();
        // The JDK answers the address itself when there is no PTR or the name does not map back.
        if (name.equals(address.getHostAddress()) || name.indexOf(':') >= 0 || name.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(name.toLowerCase(Locale.ROOT));
    };
}
