package org.wormhole.relay.reload;

import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;

/**
 * What one reload did: applied these changes and reported those as needing a restart, or,
 * when the file has errors, nothing at all (the running configuration stays) and every error
 * as {@code FILE:LINE: what is wrong}. {@code wormhole reload} prints {@link #lines()}; the relay
 * logs the same ({@link #log}).
 *
 * @param source       the file read
 * @param errors       empty: the file was usable
 * @param applied      changes now in force (new sessions and attempts see them)
 * @param needsRestart changes not applied: the relay keeps the value it started with
 */
public record ReloadReport(String source, List<String> errors, List<ConfigChange> applied,
                           List<ConfigChange> needsRestart) {

    public ReloadReport {
        errors = List.copyOf(errors);
        applied = List.copyOf(applied);
        needsRestart = List.copyOf(needsRestart);
        if (!errors.isEmpty() && !(applied.isEmpty() && needsRestart.isEmpty())) {
            throw new IllegalArgumentException("a reload with errors applies nothing");
        }
    }

    /** A file with errors: nothing applied. */
    public static ReloadReport refused(String source, List<String> errors) {
        return new ReloadReport(source, errors, List.of(), List.of());
    }

    /** True unless the file had errors. */
    public boolean ok() {
        return errors.isEmpty();
    }

    /** One line: what happened as a whole. */
    public String summary() {
        if (!ok()) {
            return source + ": " + errors.size() + " error(s); nothing applied, the running configuration stays";
        }
        if (applied.isEmpty() && needsRestart.isEmpty()) {
            return source + ": reloaded, no changes";
        }
        return source + ": reloaded, " + applied.size() + " change(s) applied, " + needsRestart.size()
                + " need(s) a restart";
    }

    /** One line per error, per applied change and per change that needs a restart. */
    public List<String> lines() {
        List<String> lines = new ArrayList<>(errors);
        applied.forEach(c -> lines.add("applied: " + c));
        needsRestart.forEach(c -> lines.add("changed, needs a restart: " + c));
        return lines;
    }

    /** Logs the report: errors at ERROR, changes that need a restart at WARN, the rest at INFO. */
    public void log(Logger log) {
        errors.forEach(e -> log.error("reload: {}", e));
        applied.forEach(c -> log.info("reload: applied: {}", c));
        needsRestart.forEach(c -> log.warn("reload: changed, needs a restart: {}", c));
        if (ok()) {
            log.info("reload: {}", summary());
        } else {
            log.error("reload: {}", summary());
        }
    }
}
