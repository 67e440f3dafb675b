package org.wormhole.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.wormhole.mailertable.LineError;
import org.wormhole.mailertable.Mailertable;
import org.wormhole.mailertable.MailertableException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code wormhole mailertable check FILE...}: validate tables, reporting every bad line. */
@Command(name = "check",
        mixinStandardHelpOptions = true,
        description = {"Check mailertable files.",
                "Prints 'FILE: N entries OK', or every bad line as 'FILE:LINE: what is wrong' and exits 1."})
final class MailertableCheck implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "the table files to check")
    List<Path> files;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        int status = 0;
        for (Path file : files) {
            try {
                Mailertable table = Mailertable.load(file);
                out.println(file + ": " + table.size() + " entries OK");
            } catch (MailertableException e) {
                for (LineError error : e.errors()) {
                    err.println(error);
                }
                err.println(file + ": " + e.errors().size() + " error(s), table not usable");
                status = 1;
            } catch (IOException e) {
                err.println(file + ": cannot read: " + IoErrors.reason(e));
                status = 1;
            }
        }
        return status;
    }
}
