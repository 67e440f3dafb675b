package org.wormhole.relay.reload;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;

/**
 * A change of {@code peers} in words, by peer: {@code peers: paris added; tokyo changed (pins);
 * osaka removed}, in name order, instead of both whole blocks (which hide the one pin that changed).
 */
final class PeersChange {

    private PeersChange() {
    }

    /** The change of the {@code peers} block from {@code before} to {@code after} (both as rendered); empty if either is no object. */
    static Optional<String> describe(String before, String after) {
        ConfigObject was;
        ConfigObject now;
        try {
            was = "(unset)".equals(before) ? ConfigFactory.empty().root() : ConfigFactory.parseString(before).root();
            now = "(unset)".equals(after) ? ConfigFactory.empty().root() : ConfigFactory.parseString(after).root();
        } catch (ConfigException e) {
            return Optional.empty();
        }
        TreeSet<String> names = new TreeSet<>(was.keySet());
        names.addAll(now.keySet());
        List<String> parts = new ArrayList<>();
        for (String name : names) {
            ConfigValue a = was.get(name);
            ConfigValue b = now.get(name);
            if (a == null) {
                parts.add(name + " added");
            } else if (b == null) {
                parts.add(name + " removed");
            } else if (!render(a).equals(render(b))) {
                parts.add(name + " changed (" + String.join(", ", keysChanged(a, b)) + ")");
            }
        }
        return parts.isEmpty() ? Optional.empty() : Optional.of("peers: " + String.join("; ", parts));
    }

    private static List<String> keysChanged(ConfigValue a, ConfigValue b) {
        if (!(a instanceof ConfigObject x) || !(b instanceof ConfigObject y)) {
            return List.of("its value");
        }
        TreeSet<String> keys = new TreeSet<>(x.keySet());
        keys.addAll(y.keySet());
        return keys.stream().filter(k -> !Objects.equals(x.get(k) == null ? null : render(x.get(k)),
                y.get(k) == null ? null : render(y.get(k)))).toList();
    }

    private static String render(ConfigValue v) {
        return v.render(ConfigRenderOptions.concise());
    }
}
