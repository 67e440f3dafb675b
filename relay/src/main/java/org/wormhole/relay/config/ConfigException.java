package org.wormhole.relay.config;

import java.util.List;

/** A configuration that cannot be used, with every problem as {@code FILE:LINE: what is wrong}. */
public final class ConfigException extends Exception {

    private final List<String> problems;

    public ConfigException(List<String> problems) {
        super(String.join("\n", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
