package org.wormhole.relay.smtpd.policy;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Postfix's {@code relay_domains} with {@code parent_domain_matches_subdomains} off:
 * {@code example.com} matches that domain only, {@code .example.com} its subdomains only.
 * Case-insensitive; a trailing dot is ignored. Immutable.
 */
final class RelayDomains {

    private final Set<String> exact = new HashSet<>();
    private final Set<String> parents = new HashSet<>();

    /** @throws IllegalArgumentException naming the first entry that is not a domain or {@code .domain} */
    RelayDomains(List<String> entries) {
        for (String entry : entries) {
            String e = entry.toLowerCase(Locale.ROOT);
            e = e.endsWith(".") ? e.substring(0, e.length() - 1) : e;
            boolean subdomains = e.startsWith(".");
            String name = subdomains ? e.substring(1) : e;
            String problem = RecipientParser.domainProblem(name);
            if (problem != null) {
                throw new IllegalArgumentException("bad relay domain '" + entry + "': " + problem);
            }
            (subdomains ? parents : exact).add(name);
        }
    }

    /** True when {@code domain} (lower case, no trailing dot, no address literal) is one we relay to. */
    boolean matches(String domain) {
        if (exact.contains(domain)) {
            return true;
        }
        for (int dot = domain.indexOf('.'); dot >= 0; dot = domain.indexOf('.', dot + 1)) {
            if (parents.contains(domain.substring(dot + 1))) {
                return true;
            }
        }
        return false;
    }
}
