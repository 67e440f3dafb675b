package org.wormhole.relay.smtpd.auth;

import java.util.List;

/** The users file has errors: each as {@code FILE:LINE: what is wrong}. */
public final class UsersFileException extends Exception {

    private final List<String> problems;

    public UsersFileException(List<String> problems) {
        super(String.join("; ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
