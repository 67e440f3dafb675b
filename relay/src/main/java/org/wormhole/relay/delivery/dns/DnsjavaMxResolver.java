package org.wormhole.relay.delivery.dns;

import java.net.IDN;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.Lookup;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * {@link MxResolver} over dnsjava.
 *
 * <ul>
 *   <li>MX records sorted by preference, equal preferences shuffled; each exchanger's A, then AAAA
 *       records. An exchanger without addresses is left out.</li>
 *   <li>No MX records: the domain itself with its A/AAAA records is the implicit MX, preference 0
 *       (RFC 5321 5.1).</li>
 *   <li>A single MX whose host is the root {@code .}: the domain accepts no mail (RFC 7505):
 *       permanent, {@code 5.1.10}. A root MX among others is ignored.</li>
 *   <li>NXDOMAIN for the domain: permanent, {@code 5.1.2}. No exchanger with an address: permanent
 *       {@code 5.4.4}, unless a lookup failed temporarily.</li>
 *   <li>Timeout, SERVFAIL or another unusable answer: temporary, {@code 4.4.3}.</li>
 * </ul>
 *
 * <p>Answers come from DNS only: no cache of its own (each lookup uses a throw-away dnsjava
 * cache; the system's resolver caches), and not {@code /etc/hosts} (like Postfix's default
 * {@code smtp_host_lookup = dns}). Thread-safe when the {@link Resolver} is, as dnsjava's
 * {@code SimpleResolver} and {@code ExtendedResolver} are.
 */
public final class DnsjavaMxResolver implements MxResolver {

    private final Resolver resolver;
    private final Random random;

    /** Uses the system's name servers (resolv.conf), as dnsjava finds them. */
    public DnsjavaMxResolver() {
        this(Lookup.getDefaultResolver());
    }

    /** Asks the given resolver, e.g. {@code new SimpleResolver(new InetSocketAddress("127.0.0.1", port))}. */
    public DnsjavaMxResolver(Resolver resolver) {
        this(resolver, new Random());
    }

    /** With the random source that orders exchangers of equal preference. */
    DnsjavaMxResolver(Resolver resolver, Random random) {
        this.resolver = Objects.requireNonNull(resolver, "resolver");
        this.random = Objects.requireNonNull(random, "random");
    }

    @Override
    public List<MailExchanger> resolve(String domain) throws DnsTemporaryFailure, DnsPermanentFailure {
        Name name = absoluteName(domain);
        String ascii = name.toString(true);
        Lookup mx = lookup(name, Type.MX);
        switch (mx.getResult()) {
            case Lookup.SUCCESSFUL:
                return exchangers(ascii, mxRecords(mx));
            case Lookup.TYPE_NOT_FOUND:
                return implicitMx(ascii, name);
            case Lookup.HOST_NOT_FOUND:
                throw new DnsPermanentFailure("5.1.2", "domain " + ascii + " does not exist (NXDOMAIN)");
            default:
                throw new DnsTemporaryFailure("MX lookup for " + ascii + " failed: " + mx.getErrorString());
        }
    }

    private List<MailExchanger> exchangers(String domain, List<MXRecord> records) throws DnsTemporaryFailure, DnsPermanentFailure {
        if (records.size() == 1 && records.get(0).getTarget().equals(Name.root)) {
            throw new DnsPermanentFailure("5.1.10", "domain " + domain + " does not accept mail (null MX)");
        }
        List<MXRecord> ordered = inPreferenceOrder(records);
        List<MailExchanger> result = new ArrayList<>();
        List<String> temporaryProblems = new ArrayList<>();
        for (MXRecord r : ordered) {
            Addresses a = addresses(r.getTarget());
            String host = r.getTarget().toString(true);
            if (!a.found().isEmpty()) {
                result.add(new MailExchanger(host, r.getPriority(), a.found()));
            } else if (a.temporaryProblem() != null) {
                temporaryProblems.add(host + ": " + a.temporaryProblem());
            }
        }
        if (!result.isEmpty()) {
            return List.copyOf(result);
        }
        if (!temporaryProblems.isEmpty()) {
            throw new DnsTemporaryFailure("no address for the MX hosts of " + domain + ": " + String.join("; ", temporaryProblems));
        }
        throw new DnsPermanentFailure("5.4.4", "no MX host of " + domain + " has an address");
    }

    private List<MailExchanger> implicitMx(String domain, Name name) throws DnsTemporaryFailure, DnsPermanentFailure {
        Addresses a = addresses(name);
        if (!a.found().isEmpty()) {
            return List.of(new MailExchanger(domain, 0, a.found()));
        }
        if (a.temporaryProblem() != null) {
            throw new DnsTemporaryFailure("address lookup for " + domain + " (no MX records) failed: " + a.temporaryProblem());
        }
        throw new DnsPermanentFailure("5.4.4", "domain " + domain + " has no MX and no address records");
    }

    /** By preference; each run of equal preferences shuffled, so that load spreads as RFC 5321 5.1 asks. */
    private List<MXRecord> inPreferenceOrder(List<MXRecord> records) {
        List<MXRecord> sorted = new ArrayList<>();
        for (MXRecord r : records) {
            if (!r.getTarget().equals(Name.root)) {
                sorted.add(r);
            }
        }
        Collections.shuffle(sorted, random);
        sorted.sort(Comparator.comparingInt(MXRecord::getPriority)); // stable: keeps the shuffle within a preference
        return sorted;
    }

    /**
     * @param found            A then AAAA addresses
     * @param temporaryProblem why a lookup failed temporarily, or null
     */
    private record Addresses(List<InetAddress> found, String temporaryProblem) {
    }

    private Addresses addresses(Name host) {
        List<InetAddress> found = new ArrayList<>();
        String problem = null;
        for (int type : new int[] {Type.A, Type.AAAA}) {
            Lookup l = lookup(host, type);
            if (l.getResult() == Lookup.SUCCESSFUL) {
                for (Record r : l.getAnswers()) {
                    if (r instanceof ARecord a) {
                        found.add(a.getAddress());
                    } else if (r instanceof AAAARecord aaaa) {
                        found.add(aaaa.getAddress());
                    }
                }
            } else if (l.getResult() == Lookup.TRY_AGAIN || l.getResult() == Lookup.UNRECOVERABLE) {
                problem = Type.string(type) + " lookup failed: " + l.getErrorString();
            }
        }
        return new Addresses(found, problem);
    }

    private static List<MXRecord> mxRecords(Lookup l) {
        List<MXRecord> mx = new ArrayList<>();
        for (Record r : l.getAnswers()) {
            if (r instanceof MXRecord m) {
                mx.add(m);
            }
        }
        return mx;
    }

    private Lookup lookup(Name name, int type) {
        Lookup l = new Lookup(name, type);
        l.setResolver(resolver);
        l.setCache(null);
        l.setHostsFileParser(null);
        l.run();
        return l;
    }

    private static Name absoluteName(String domain) throws DnsPermanentFailure {
        String d = domain == null ? "" : domain.strip();
        if (d.endsWith(".")) {
            d = d.substring(0, d.length() - 1);
        }
        try {
            String ascii = IDN.toASCII(d, IDN.ALLOW_UNASSIGNED);
            if (ascii.isEmpty()) {
                throw new DnsPermanentFailure("5.1.2", "empty domain name");
            }
            return Name.fromString(ascii + ".");
        } catch (IllegalArgumentException | TextParseException e) {
            throw new DnsPermanentFailure("5.1.2", "bad domain name '" + domain + "': " + e.getMessage());
        }
    }
}
