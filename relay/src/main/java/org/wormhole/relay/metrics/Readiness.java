package org.wormhole.relay.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Whether the relay is ready for mail, check by check: what {@code GET /healthz} and
 * {@code wormhole status} report. Ready only when every check passes: the spool takes new mail
 * (writable, above {@code queue_minfree}), the mailertable is loaded and readable, and every
 * listener is bound (the relay has finished starting and is not stopping).
 *
 * <p>Over the control socket it is one line per check ({@link #toLines}, {@link #parse}):
 * {@code NAME ok|failed DETAIL}, NAME one word.
 *
 * @param checks the checks, in the order they are shown
 */
public record Readiness(List<Check> checks) {

    public Readiness {
        checks = List.copyOf(checks);
    }

    /**
     * One check.
     *
     * @param name   one word: {@code spool}, {@code mailertable}, {@code listeners}
     * @param ok     whether it passes
     * @param detail what was found, for the operator: {@code /var/spool/wormhole writable, 812 MiB free}
     */
    public record Check(String name, boolean ok, String detail) {
        public Check {
            if (!name.matches("[a-z_]+")) {
                throw new IllegalArgumentException("a check's name is one lowercase word: '" + name + "'");
            }
            detail = detail.replace('\n', ' ');
        }
    }

    /** True when every check passes. */
    public boolean ready() {
        return checks.stream().allMatch(Check::ok);
    }

    /** {@code ready}, or {@code not ready: } and the details of the checks that failed. */
    public String summary() {
        if (ready()) {
            return "ready";
        }
        List<String> failed = new ArrayList<>();
        checks.stream().filter(c -> !c.ok()).forEach(c -> failed.add(c.name() + ": " + c.detail()));
        return "not ready: " + String.join("; ", failed);
    }

    /** The checks as the operator reads them: one aligned line each, after the {@link #summary}. */
    public String report() {
        StringBuilder sb = new StringBuilder(ready() ? "ready" : "not ready").append('\n');
        int width = checks.stream().mapToInt(c -> c.name().length()).max().orElse(0);
        for (Check c : checks) {
            sb.append(String.format(Locale.ROOT, "  %-" + width + "s  %-6s  %s%n", c.name(), c.ok() ? "ok" : "FAILED",
                    c.detail()));
        }
        return sb.toString();
    }

    /** One line per check, for the control socket. */
    public List<String> toLines() {
        return checks.stream().map(c -> c.name() + " " + (c.ok() ? "ok" : "failed") + " " + c.detail()).toList();
    }

    /**
     * Reads lines written by {@link #toLines}.
     *
     * @throws IllegalArgumentException a line is not one
     */
    public static Readiness parse(List<String> lines) {
        List<Check> checks = new ArrayList<>();
        for (String line : lines) {
            String[] w = line.split(" ", 3);
            if (w.length < 2 || !(w[1].equals("ok") || w[1].equals("failed"))) {
                throw new IllegalArgumentException("not a readiness line: " + line);
            }
            checks.add(new Check(w[0], w[1].equals("ok"), w.length == 3 ? w[2] : ""));
        }
        return new Readiness(checks);
    }
}
