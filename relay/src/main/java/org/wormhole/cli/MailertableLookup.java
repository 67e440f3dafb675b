package org.wormhole.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.wormhole.mailertable.Lookup;
import org.wormhole.mailertable.Mailertable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code wormhole mailertable lookup}: what the relay's resolver answers for an address, with
 * the full sendmail search order (unlike {@code postmap -q}, which tries one key).
 */
@Command(name = "lookup",
        mixinStandardHelpOptions = true,
        description = {"Show where the relay routes an address or domain.",
                "Prints the value after %0/%1 substitution, e.g. tsmtp:[relay.tokyo.bigbucks.example],",
                "using the full sendmail search order. No match: 'no match' on stderr and exit 1",
                "(the relay then delivers by MX)."})
final class MailertableLookup implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    TableOption tableOption;

    @Option(names = {"-x", "--explain"}, description = "also print each key tried and which one matched")
    boolean explain;

    @Parameters(paramLabel = "ADDRESS-OR-DOMAIN", description = "e.g. user@mail.tokyo.bigbucks.example")
    String address;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Path tableFile = tableOption.fileOr(WormholeHome.defaultMailertable());
        Mailertable table = TableOption.openOrReport(tableFile, Mailertable::load, err);
        if (table == null) {
            return 1;
        }
        String query = stripAngleBrackets(address.strip());
        Mailertable.Explanation explanation;
        try {
            explanation = table.explain(query);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        Lookup result = explanation.result();
        if (result instanceof Lookup.Found found) {
            out.println(found.value());
        }
        if (explain) {
            out.println("  table " + tableFile + " (" + table.size() + " entries)");
            for (Mailertable.Explanation.Probe probe : explanation.tried()) {
                out.printf("  tried %-40s %s%n", probe.key(), probe.matched() ? "MATCH" : "-");
            }
            if (result instanceof Lookup.Found found) {
                out.println("  matched " + tableFile + ":" + found.line() + ": " + found.describe());
            }
        }
        if (result instanceof Lookup.TempFail tempFail) {
            err.println("temporary failure: " + tempFail.reason());
            return 1;
        }
        if (result instanceof Lookup.NotFound) {
            err.println("no match");
            return 1;
        }
        return 0;
    }

    private static String stripAngleBrackets(String s) {
        return s.length() >= 2 && s.startsWith("<") && s.endsWith(">") ? s.substring(1, s.length() - 1) : s;
    }
}
