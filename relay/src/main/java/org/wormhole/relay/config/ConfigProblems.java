package org.wormhole.relay.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigOrigin;
import java.util.TreeSet;

/** How a configuration problem is worded: where it is ({@code FILE:LINE: }), and "did you mean". */
final class ConfigProblems {

    private ConfigProblems() {
    }

    /** {@code FILE:LINE: } of {@code origin}; {@code name} stands for a configuration read from text. */
    static String where(String name, ConfigOrigin origin) {
        String file = origin.filename() != null ? origin.filename() : origin.description().replaceFirst(": \\d+$", "");
        if (name != null && origin.filename() == null && origin.description().startsWith("String")) {
            file = name;
        }
        return origin.lineNumber() > 0 ? file + ":" + origin.lineNumber() + ": " : file + ": ";
    }

    /** A parse or type error of Lightbend Config, in our {@code FILE:LINE: what} form. */
    static String describe(String name, com.typesafe.config.ConfigException e) {
        String msg = e.getMessage();
        if (e.origin() != null) {
            // Lightbend prefixes "desc: line: "; keep only its own words.
            String prefix = e.origin().description() + ": ";
            if (msg.startsWith(prefix)) {
                msg = msg.substring(prefix.length());
            }
            return where(name, e.origin()) + msg;
        }
        return (name == null ? "" : name + ": ") + msg;
    }

    /** {@code  (did you mean 'k'?)} for a known key close to {@code key}, or nothing. */
    static String suggestion(String key, Config defaults) {
        String best = null;
        int bestDistance = 4;
        for (String k : new TreeSet<>(defaults.root().keySet())) {
            int d = distance(key, k);
            if (d < bestDistance) {
                best = k;
                bestDistance = d;
            }
        }
        return best == null ? "" : " (did you mean '" + best + "'?)";
    }

    /** Levenshtein distance, for "did you mean". */
    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
