package org.wormhole.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import org.wormhole.mailertable.LineError;
import org.wormhole.mailertable.MailertableException;
import picocli.CommandLine.Option;

/**
 * {@code -f FILE}, the table of {@code mailertable lookup} and {@code watch}, and how the
 * mailertable commands say that a table is not usable.
 */
final class TableOption {

    @Option(names = {"-f", "--file"}, paramLabel = "FILE",
            description = "the table (default: the relay's, config/mailertable under WORMHOLE_HOME)")
    Path file;

    /** The table given with -f, else {@code otherwise}. */
    Path fileOr(Path otherwise) {
        return file != null ? file : otherwise;
    }

    /** Reads a table; may throw what reading it throws. */
    @FunctionalInterface
    interface Opener<T> {
        T open(Path file) throws IOException, MailertableException;
    }

    /** The table {@code open} makes of {@code table}; null, with why it is not usable printed to {@code err}, else. */
    static <T> T openOrReport(Path table, Opener<T> open, PrintWriter err) {
        try {
            return open.open(table);
        } catch (MailertableException e) {
            reportBadLines(table, e, err);
        } catch (IOException e) {
            reportUnreadable(table, e, err);
        }
        return null;
    }

    /** Every bad line, then "FILE: N error(s), table not usable". */
    static void reportBadLines(Path table, MailertableException e, PrintWriter err) {
        e.errors().stream().map(LineError::toString).forEach(err::println);
        err.println(notUsable(table, e.errors().size()));
    }

    /** "FILE: cannot read: why". */
    static void reportUnreadable(Path table, IOException e, PrintWriter err) {
        err.println(table + ": cannot read: " + IoErrors.reason(e));
    }

    /** "FILE: N error(s), table not usable". */
    static String notUsable(Path table, int errors) {
        return table + ": " + errors + " error(s), table not usable";
    }
}
