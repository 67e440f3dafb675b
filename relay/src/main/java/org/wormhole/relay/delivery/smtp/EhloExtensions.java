package org.wormhole.relay.delivery.smtp;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The service extensions a server announced in its EHLO or LHLO reply: keyword (upper case) to
 * parameters ({@code ""} when none). Immutable.
 */
record EhloExtensions(Map<String, String> keywords) {

    static final EhloExtensions NONE = new EhloExtensions(Map.of());

    EhloExtensions {
        keywords = Map.copyOf(keywords);
    }

    /** From the reply's lines; the first line is the server's greeting name, not an extension. */
    static EhloExtensions parse(List<String> lines) {
        Map<String, String> map = new LinkedHashMap<>();
        for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
            String l = line.strip();
            if (l.isEmpty()) {
                continue;
            }
            int sp = l.indexOf(' ');
            String keyword = (sp < 0 ? l : l.substring(0, sp)).toUpperCase(Locale.ROOT);
            map.putIfAbsent(keyword, sp < 0 ? "" : l.substring(sp + 1).strip());
        }
        return new EhloExtensions(map);
    }

    boolean has(String keyword) {
        return keywords.containsKey(keyword);
    }

    Set<String> names() {
        return keywords.keySet();
    }

    /** The fixed message size limit of RFC 1870, or 0 when none is announced. */
    long sizeLimit() {
        String p = keywords.get("SIZE");
        if (p == null || p.isEmpty()) {
            return 0;
        }
        try {
            return Math.max(0, Long.parseLong(p));
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
