package org.wormhole.mailertable;

import java.util.List;

/**
 * A check of a parsed table against what its user knows beyond the table's syntax, such as the
 * relay's check that every {@code tsmtp} route names a configured peer. A
 * {@link WatchedMailertable} runs it on the table at start and on every edit, and treats its
 * errors exactly as parse errors: a table at start is refused, an edit is rejected whole.
 */
@FunctionalInterface
public interface TableCheck {

    /** Accepts every table that parses. */
    TableCheck NONE = table -> List.of();

    /** The errors of {@code table}, in file order; empty when the table may be used. */
    List<LineError> errors(Mailertable table);
}
