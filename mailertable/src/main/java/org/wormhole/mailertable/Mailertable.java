package org.wormhole.mailertable;

import java.io.IOException;
import java.net.IDN;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A loaded mailertable: immutable, safe to share between threads.
 *
 * <p>The file is sendmail's mailertable source text, read directly (no makemap). A lookup of
 * host {@code a.b.c.d} tries, as sendmail 8 does, {@code a.b.c.d}, {@code .b.c.d},
 * {@code .c.d}, {@code .d} and {@code .}; a {@code user@domain} key (a Postfix transport(5)
 * extension) is tried before all of them. The first key found wins. A lookup costs a hash
 * probe per label and allocates nothing unless the value uses {@code %0}/{@code %1}.
 */
public final class Mailertable {

    private final String source;
    private final List<Entry> entries;
    private final KeyIndex index;

    Mailertable(String source, List<Entry> entries) {
        this.source = source;
        this.entries = List.copyOf(entries);
        this.index = new KeyIndex(this.entries);
    }

    /**
     * Reads and parses a table file.
     *
     * @throws IOException          the file could not be read
     * @throws MailertableException the file has bad lines; every one of them is listed
     */
    public static Mailertable load(Path file) throws IOException, MailertableException {
        return parse(file.toString(), Files.readAllBytes(file));
    }

    /**
     * Parses table text.
     *
     * @param source the name used in error messages, usually the file name
     */
    public static Mailertable parse(String source, byte[] content) throws MailertableException {
        return MailertableParser.parse(source, content);
    }

    /** The file name this table was loaded from. */
    public String source() {
        return source;
    }

    /** The number of entries. */
    public int size() {
        return entries.size();
    }

    /** Every entry, canonical key to value as written, in file order. */
    public Map<String, String> asMap() {
        Map<String, String> m = new LinkedHashMap<>();
        for (Entry e : entries) {
            m.put(e.key(), e.value());
        }
        return Collections.unmodifiableMap(m);
    }

    /**
     * Every entry in file order with its line and, unless its value is a {@code %0}/{@code %1}
     * template (known only per lookup), its parsed route: for checks of a whole table, such as
     * the relay's check of {@code tsmtp} routes against its peers.
     */
    public List<Rule> rules() {
        List<Rule> rules = new ArrayList<>(entries.size());
        for (Entry e : entries) {
            rules.add(new Rule(e.key(), e.value(), e.line(),
                    e.isTemplate() ? Optional.empty() : Optional.of(e.found().route())));
        }
        return rules;
    }

    /**
     * One entry of a table.
     *
     * @param key   the canonical key (lower case, A-labels)
     * @param value the value as written
     * @param line  its line in the file
     * @param route the parsed value; empty for a template value
     */
    public record Rule(String key, String value, int line, Optional<Route> route) {
    }

    /**
     * Finds the route for a recipient address ({@code user@domain}) or a bare domain.
     *
     * @throws IllegalArgumentException the input has no domain
     */
    public Lookup lookup(String addressOrDomain) {
        return resolve(addressOrDomain, null);
    }

    /** As {@link #lookup}, also reporting every key tried, in order. */
    public Explanation explain(String addressOrDomain) {
        List<Explanation.Probe> tried = new ArrayList<>();
        Lookup result = resolve(addressOrDomain, tried);
        return new Explanation(tried, result);
    }

    /** The keys a lookup tried, and its answer. */
    public record Explanation(List<Probe> tried, Lookup result) {
        /** One key tried; {@code matched} for the one that answered. */
        public record Probe(String key, boolean matched) {
        }
    }

    private Lookup resolve(String input, List<Explanation.Probe> trace) {
        String s = normalize(input);
        int end = s.length();
        if (end > 0 && s.charAt(end - 1) == '.') {
            end--;
        }
        int at = s.lastIndexOf('@', end - 1);
        int domStart = at + 1;
        if (domStart >= end || at == 0) {
            throw new IllegalArgumentException("not an address or domain: '" + input + "'");
        }
        Entry e;
        if (at > 0 && (e = probe(s, 0, end, trace)) != null) {
            return answer(e, s, domStart, end, end);
        }
        if ((e = probe(s, domStart, end, trace)) != null) {
            return answer(e, s, domStart, end, domStart);
        }
        if (s.charAt(domStart) != '[') {
            for (int i = domStart + 1; i < end; i++) {
                if (s.charAt(i) == '.' && (e = probe(s, i, end, trace)) != null) {
                    return answer(e, s, domStart, end, i);
                }
            }
        }
        if ((e = probe(s, end, end, trace)) != null) {
            return answer(e, s, domStart, end, end);
        }
        return Lookup.NotFound.INSTANCE;
    }

    /** Probes {@code s[from, to)}; the empty region stands for the catch-all key ".". */
    private Entry probe(String s, int from, int to, List<Explanation.Probe> trace) {
        Entry e = from == to ? index.get(".", 0, 1) : index.get(s, from, to);
        if (trace != null) {
            trace.add(new Explanation.Probe(from == to ? "." : s.substring(from, to), e != null));
        }
        return e;
    }

    /**
     * The answer for entry {@code e}, matched for host {@code s[domStart, end)}; {@code %1} is
     * {@code s[domStart, strippedEnd)}: the labels in front of a leading-dot key, the whole host
     * for ".", nothing for an exact key.
     */
    private Lookup answer(Entry e, String s, int domStart, int end, int strippedEnd) {
        if (!e.isTemplate()) {
            return e.found();
        }
        String host = s.substring(domStart, end);
        String stripped = strippedEnd >= end ? host : s.substring(domStart, Math.max(domStart, strippedEnd));
        String value = MailertableParser.substitute(e.value(), host, stripped);
        try {
            ValueParser.Parsed parsed = ValueParser.parse(value);
            return new Lookup.Found(parsed.route(), value, e.key(), e.line(),
                    Optional.ofNullable(parsed.rewrittenRecipient()));
        } catch (ValueParser.BadValue bad) {
            return new Lookup.TempFail(source + ":" + e.line() + ": value '" + value + "' for '" + e.key()
                    + "' is invalid after substitution: " + bad.getMessage());
        }
    }

    /** Lower-cases ASCII in one copy (none if already lower case); a non-ASCII domain becomes its A-label. */
    private static String normalize(String input) {
        int n = input.length();
        int i = 0;
        while (i < n) {
            char c = input.charAt(i);
            if ((c >= 'A' && c <= 'Z') || c > 127) {
                break;
            }
            i++;
        }
        if (i == n) {
            return input;
        }
        char[] out = new char[n];
        input.getChars(0, i, out, 0);
        for (; i < n; i++) {
            char c = input.charAt(i);
            if (c > 127) {
                return normalizeInternational(input);
            }
            out[i] = c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c;
        }
        return new String(out);
    }

    private static String normalizeInternational(String input) {
        String lower = input.toLowerCase(Locale.ROOT);
        int at = lower.lastIndexOf('@');
        try {
            String domain = IDN.toASCII(lower.substring(at + 1), IDN.ALLOW_UNASSIGNED).toLowerCase(Locale.ROOT);
            return lower.substring(0, at + 1) + domain;
        } catch (IllegalArgumentException notIdn) {
            return lower; // no key can match it, which is the right answer
        }
    }

    @Override
    public String toString() {
        return "Mailertable[" + source + ", " + entries.size() + " entries]";
    }
}
