package org.wormhole.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code wormhole mailertable ...}: check, query and watch routing tables. */
@Command(name = "mailertable",
        mixinStandardHelpOptions = true,
        description = "Check, query and watch a mailertable (sendmail syntax, no makemap).",
        subcommands = {MailertableCheck.class, MailertableLookup.class, MailertableWatch.class})
final class MailertableCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand: check, lookup or watch");
    }
}
