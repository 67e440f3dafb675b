package org.wormhole.mailertable;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What changed between two versions of a table, by canonical key.
 *
 * @param added   keys only in the new table
 * @param removed keys only in the old table
 * @param changed keys in both whose value differs
 */
public record TableDiff(List<String> added, List<String> removed, List<String> changed) {

    public static TableDiff between(Mailertable before, Mailertable after) {
        Map<String, String> old = before.asMap();
        Map<String, String> now = after.asMap();
        List<String> added = new ArrayList<>();
        List<String> changed = new ArrayList<>();
        now.forEach((key, value) -> {
            String was = old.get(key);
            if (was == null) {
                added.add(key);
            } else if (!was.equals(value)) {
                changed.add(key);
            }
        });
        List<String> removed = new ArrayList<>();
        old.keySet().forEach(key -> {
            if (!now.containsKey(key)) {
                removed.add(key);
            }
        });
        return new TableDiff(List.copyOf(added), List.copyOf(removed), List.copyOf(changed));
    }

    public boolean isEmpty() {
        return added.isEmpty() && removed.isEmpty() && changed.isEmpty();
    }

    /** E.g. {@code 2 added [a.example, b.example], 0 removed, 1 changed [.c.example]}. */
    @Override
    public String toString() {
        return part(added, "added") + ", " + part(removed, "removed") + ", " + part(changed, "changed");
    }

    private static String part(List<String> keys, String what) {
        if (keys.isEmpty()) {
            return "0 " + what;
        }
        int shown = Math.min(keys.size(), 10);
        String list = String.join(", ", keys.subList(0, shown)) + (keys.size() > shown ? ", ..." : "");
        return keys.size() + " " + what + " [" + list + "]";
    }
}
