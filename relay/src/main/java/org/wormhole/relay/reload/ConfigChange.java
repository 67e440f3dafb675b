package org.wormhole.relay.reload;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * One key whose effective value differs between the configuration in force and the file just
 * read, shown as {@code key before -> after} ({@code peers} by peer: {@code peers: paris added;
 * tokyo changed (pins)}).
 *
 * @param key    the key as written in wormhole.conf (or what changed, e.g. the TLS certificate)
 * @param before its value in force; "(unset)" if it had none
 * @param after  its value in the file
 */
public record ConfigChange(String key, String before, String after) {

    @Override
    public String toString() {
        if (key.equals("peers")) {
            return PeersChange.describe(before, after).orElse(key + " " + before + " -> " + after);
        }
        return key + " " + before + " -> " + after;
    }

    /** The keys whose values differ, in the order of {@code after} (the reference order), then any others. */
    static List<ConfigChange> between(Map<String, String> before, Map<String, String> after) {
        List<ConfigChange> changes = new ArrayList<>();
        TreeSet<String> gone = new TreeSet<>(before.keySet());
        for (Map.Entry<String, String> e : after.entrySet()) {
            gone.remove(e.getKey());
            String was = before.get(e.getKey());
            if (!Objects.equals(was, e.getValue())) {
                changes.add(new ConfigChange(e.getKey(), was == null ? "(unset)" : was, e.getValue()));
            }
        }
        gone.forEach(k -> changes.add(new ConfigChange(k, before.get(k), "(unset)")));
        return changes;
    }
}
