package org.wormhole.mailertable;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads mailertable source text: one {@code key value} entry a line, {@code #} comment lines,
 * blank lines. Collects every bad line rather than stopping at the first.
 */
final class MailertableParser {

    /** Longer lines are refused: no legitimate entry comes near this. */
    static final int MAX_LINE_LENGTH = 4096;

    /** The text put in for {@code %1} and {@code %0} when a template value is checked at load. */
    private static final String SAMPLE_LABELS = "x";
    private static final String SAMPLE_HOST = "x.example";

    private final String source;
    private final List<LineError> errors = new ArrayList<>();
    private final List<Entry> entries = new ArrayList<>();
    private final Map<String, Integer> firstLineOfKey = new HashMap<>();

    private MailertableParser(String source) {
        this.source = source;
    }

    static Mailertable parse(String source, byte[] content) throws MailertableException {
        MailertableParser p = new MailertableParser(source);
        p.parseAll(new String(content, StandardCharsets.UTF_8));
        if (!p.errors.isEmpty()) {
            throw new MailertableException(p.errors);
        }
        return new Mailertable(source, p.entries);
    }

    private void parseAll(String text) {
        int lineNo = 0;
        int start = 0;
        int n = text.length();
        while (start < n) {
            int nl = text.indexOf('\n', start);
            int end = nl < 0 ? n : nl;
            lineNo++;
            parseLine(text.substring(start, end), lineNo);
            start = end + 1;
        }
    }

    private void parseLine(String raw, int lineNo) {
        String line = raw.strip();
        if (line.isEmpty() || line.charAt(0) == '#') {
            return;
        }
        if (raw.length() > MAX_LINE_LENGTH) {
            error(lineNo, "line longer than " + MAX_LINE_LENGTH + " characters");
            return;
        }
        if (line.indexOf('\uFFFD') >= 0) {
            error(lineNo, "not valid UTF-8");
            return;
        }
        int ws = ValueParser.firstWhitespace(line);
        if (ws < 0) {
            error(lineNo, "key '" + line + "' has no value: expected 'key mailer:host'");
            return;
        }
        String rawKey = line.substring(0, ws);
        String value = line.substring(ws).strip();
        String key;
        try {
            key = normalizeKey(rawKey);
        } catch (ValueParser.BadValue e) {
            error(lineNo, e.getMessage());
            return;
        }
        Integer first = firstLineOfKey.putIfAbsent(key, lineNo);
        if (first != null) {
            String alias = key.equals(".") ? " ('*' and '.' are the same key)" : "";
            error(lineNo, "duplicate key '" + rawKey + "' (first defined at line " + first + ")" + alias);
            return;
        }
        try {
            entries.add(entry(key, value, lineNo));
        } catch (ValueParser.BadValue e) {
            error(lineNo, e.getMessage());
        }
    }

    private static Entry entry(String key, String value, int lineNo) throws ValueParser.BadValue {
        if (value.indexOf('%') < 0) {
            return Entry.fixed(key, value, lineNo, ValueParser.parse(value));
        }
        for (int i = value.indexOf('%'); i >= 0; i = value.indexOf('%', i + 2)) {
            char next = i + 1 < value.length() ? value.charAt(i + 1) : ' ';
            if (next != '0' && next != '1') {
                throw new ValueParser.BadValue("unknown substitution '%" + (next == ' ' ? "" : next)
                        + "' (only %0, the whole host, and %1, the labels a leading-dot key stripped)");
            }
        }
        if (value.contains("%1") && !key.startsWith(".")) {
            throw new ValueParser.BadValue("%1 is always empty for key '" + key
                    + "': it holds the labels a leading-dot key such as '." + key + "' strips");
        }
        String sample = substitute(value, SAMPLE_HOST, SAMPLE_LABELS);
        try {
            ValueParser.parse(sample);
        } catch (ValueParser.BadValue e) {
            throw new ValueParser.BadValue(e.getMessage() + " (checked with %0=" + SAMPLE_HOST
                    + ", %1=" + SAMPLE_LABELS + ")");
        }
        return Entry.template(key, value, lineNo);
    }

    /** Replaces {@code %0} by {@code host} and {@code %1} by {@code stripped}. */
    static String substitute(String value, String host, String stripped) {
        StringBuilder sb = new StringBuilder(value.length() + host.length());
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '%' && i + 1 < value.length() && (value.charAt(i + 1) == '0' || value.charAt(i + 1) == '1')) {
                sb.append(value.charAt(i + 1) == '0' ? host : stripped);
                i++;
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    /**
     * The canonical form of a key: lower case, trailing dot dropped, {@code *} written {@code .}.
     * Accepts {@code domain}, {@code .domain}, {@code .}, {@code *}, {@code user@domain},
     * {@code [address literal]}.
     */
    static String normalizeKey(String rawKey) throws ValueParser.BadValue {
        if (rawKey.equals(".") || rawKey.equals("*")) {
            return ".";
        }
        String key = rawKey.toLowerCase(Locale.ROOT);
        int at = key.lastIndexOf('@');
        if (at >= 0) {
            String user = key.substring(0, at);
            if (user.isEmpty()) {
                throw new ValueParser.BadValue("malformed key '" + rawKey + "': empty user before '@'");
            }
            return user + "@" + domainKey(rawKey, key.substring(at + 1), false);
        }
        return domainKey(rawKey, key, true);
    }

    private static String domainKey(String rawKey, String domain, boolean leadingDotAllowed)
            throws ValueParser.BadValue {
        if (domain.startsWith("[")) {
            if (!domain.endsWith("]")) {
                throw new ValueParser.BadValue("malformed key '" + rawKey + "': missing ']'");
            }
            String problem = HostSyntax.bracketedProblem(domain.substring(1, domain.length() - 1));
            if (problem != null) {
                throw new ValueParser.BadValue("malformed key '" + rawKey + "': " + problem);
            }
            return domain;
        }
        String d = domain.endsWith(".") ? domain.substring(0, domain.length() - 1) : domain;
        boolean dotted = d.startsWith(".");
        if (dotted && !leadingDotAllowed) {
            throw new ValueParser.BadValue("malformed key '" + rawKey + "': a user@domain key takes a plain domain");
        }
        String problem = HostSyntax.domainProblem(dotted ? d.substring(1) : d);
        if (problem != null) {
            throw new ValueParser.BadValue("malformed key '" + rawKey + "': " + problem);
        }
        return d;
    }

    private void error(int lineNo, String message) {
        errors.add(new LineError(source, lineNo, message));
    }
}
