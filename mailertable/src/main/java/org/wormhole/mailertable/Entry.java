package org.wormhole.mailertable;

import java.util.Optional;

/**
 * One line of a loaded table. A value without {@code %} is parsed once at load and its
 * {@link Lookup.Found} answer is built once too, so looking it up allocates nothing; a value
 * with {@code %0} or {@code %1} is a template, substituted and parsed per lookup.
 */
record Entry(String key, String value, int line, Lookup.Found found) {

    static Entry fixed(String key, String value, int line, ValueParser.Parsed parsed) {
        return new Entry(key, value, line, new Lookup.Found(parsed.route(), value, key, line,
                Optional.ofNullable(parsed.rewrittenRecipient())));
    }

    static Entry template(String key, String value, int line) {
        return new Entry(key, value, line, null);
    }

    boolean isTemplate() {
        return found == null;
    }
}
