package org.wormhole.cli;

import java.io.ByteArrayOutputStream;
import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.wormhole.relay.PermissionDenied;
import org.wormhole.relay.config.RelayConfig;
import org.wormhole.relay.smtpd.auth.PasswordHash;
import org.wormhole.relay.smtpd.auth.SubmissionUser;
import org.wormhole.relay.smtpd.auth.UsersFile;
import org.wormhole.relay.smtpd.auth.UsersFileException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code wormhole user add|remove|list}: the users who may log in on the submission listener. */
@Command(name = "user", mixinStandardHelpOptions = true,
        description = {"Manage the submission users file (submission_users_file, default config/submission-users):",
                "who may log in with AUTH PLAIN or LOGIN on submission_listen (port 587, STARTTLS first).",
                "One user a line, NAME:BCRYPT-HASH[:ADDRESS,...]; a file 'htpasswd -B' wrote works as it is.",
                "Passwords are read from the terminal (asked twice, not echoed) or, when stdin is not a",
                "terminal, from the first line of stdin: never from the command line, where 'ps' would show it.",
                "The file is replaced atomically (a new file gets mode 0600; an existing one keeps its owner,",
                "group and mode, less any access for others). A running relay reads it again at the next AUTH."},
        subcommands = {UserCommand.Add.class, UserCommand.Remove.class, UserCommand.ListUsers.class})
final class UserCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.ParentCommand
    Wormhole root;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand: add, remove or list");
    }

    /** {@code --file}, else the configured {@code submission_users_file}. */
    static final class FileOption {
        @Option(names = "--file", paramLabel = "FILE",
                description = "the users file (default: submission_users_file of the configuration)")
        Path file;

        @CommandLine.Mixin
        ConfigOption config;

        /** The users file, or null with the configuration's problems printed. */
        Path resolve(PrintWriter err) {
            if (file != null) {
                return file;
            }
            if (!config.found()) {
                return WormholeHome.resolve("config/submission-users");
            }
            RelayConfig c = config.loadOrReport(err, "it names the users file (submission_users_file); or use --file");
            return c == null ? null : c.submission().usersFile();
        }
    }

    @Command(name = "add", mixinStandardHelpOptions = true,
            description = {"Add a user, or set a new password for one (as htpasswd does). The password is read from",
                    "the terminal, or from the first line of stdin: echo \"$PW\" | wormhole user add alice"})
    static final class Add implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @CommandLine.ParentCommand
        UserCommand parent;

        @CommandLine.Mixin
        FileOption users;

        @Parameters(paramLabel = "NAME", description = "the login name (AUTH's user name), e.g. alice or alice@example.com")
        String name;

        @Option(names = "--address", paramLabel = "ADDRESS", split = ",",
                description = {"an envelope sender the user may use (user@domain, or @domain for all of a domain);",
                        "repeat or separate with commas. For submission_sender_login = strict. Without it, an",
                        "existing user keeps its addresses."})
        List<String> addresses;

        @Option(names = "--cost", paramLabel = "N", defaultValue = "" + PasswordHash.DEFAULT_COST,
                description = "bcrypt cost, " + PasswordHash.MIN_COST + "-" + PasswordHash.MAX_COST
                        + " (default: ${DEFAULT-VALUE}; each step doubles the time of a check)")
        int cost;

        @Override
        public Integer call() {
            PrintWriter err = spec.commandLine().getErr();
            String problem = SubmissionUser.nameProblem(name);
            if (problem != null) {
                throw new CommandLine.ParameterException(spec.commandLine(), problem);
            }
            for (String a : addresses == null ? List.<String>of() : addresses) {
                String p = SubmissionUser.addressProblem(a.strip());
                if (p != null) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "--address: " + p);
                }
            }
            if (cost < PasswordHash.MIN_COST || cost > PasswordHash.MAX_COST) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--cost must be "
                        + PasswordHash.MIN_COST + "-" + PasswordHash.MAX_COST);
            }
            Path file = users.resolve(err);
            if (file == null) {
                return 1;
            }
            Optional<UsersFile> existing = readOrReport(file, err, true);
            if (existing == null) {
                return 1;
            }
            UsersFile before = existing.orElse(UsersFile.empty(file));
            Optional<SubmissionUser> old = before.user(name);
            char[] password = parent.root.password(name, err);
            if (password == null) {
                return 1;
            }
            String hash;
            try {
                hash = PasswordHash.hash(password, cost);
            } catch (IllegalArgumentException e) {
                err.println(e.getMessage() + "; nothing changed");
                return 1;
            } finally {
                Arrays.fill(password, '\0');
            }
            List<String> owned = addresses != null ? addresses.stream().map(String::strip).toList()
                    : old.map(SubmissionUser::addresses).orElse(List.of());
            try {
                before.with(new SubmissionUser(name, hash, owned)).write();
            } catch (IOException e) {
                err.println(file + ": " + IoErrors.reason(e) + "; nothing changed");
                return 1;
            }
            err.println((old.isPresent() ? "changed the password of " : "added ") + name + " in " + file
                    + (owned.isEmpty() ? "" : " (senders: " + String.join(", ", owned) + ")"));
            if (existing.isEmpty() && PermissionDenied.currentUser().equals("root")) {
                err.println(file + " is new, owned by root with mode 0600: the relay's user must be able to read it"
                        + " (chown USER " + file + ")");
            }
            return 0;
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true,
            description = "Remove a user: its next AUTH fails. Sessions already logged in go on to their end.")
    static final class Remove implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @CommandLine.Mixin
        FileOption users;

        @Parameters(paramLabel = "NAME", description = "the login name")
        String name;

        @Override
        public Integer call() {
            PrintWriter err = spec.commandLine().getErr();
            Path file = users.resolve(err);
            if (file == null) {
                return 1;
            }
            Optional<UsersFile> existing = readOrReport(file, err, false);
            if (existing == null) {
                return 1;
            }
            if (existing.get().user(name).isEmpty()) {
                err.println(file + ": no user '" + name + "'");
                return 1;
            }
            try {
                existing.get().without(name).write();
            } catch (IOException e) {
                err.println(file + ": " + IoErrors.reason(e) + "; nothing changed");
                return 1;
            }
            err.println("removed " + name + " from " + file);
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "The users and the senders each owns (never the hashes).")
    static final class ListUsers implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @CommandLine.Mixin
        FileOption users;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            Path file = users.resolve(err);
            if (file == null) {
                return 1;
            }
            Optional<UsersFile> existing = readOrReport(file, err, false);
            if (existing == null) {
                return 1;
            }
            List<SubmissionUser> all = existing.get().users();
            int width = Math.max(4, all.stream().mapToInt(u -> u.name().length()).max().orElse(0));
            out.printf("%-" + width + "s  %s%n", "USER", "SENDERS");
            for (SubmissionUser u : all) {
                out.printf("%-" + width + "s  %s%n", u.name(), u.addresses().isEmpty() ? "-" : String.join(", ", u.addresses()));
            }
            out.flush();
            err.println(file + ": " + all.size() + " user(s)");
            return 0;
        }
    }

    /**
     * The file as it is: empty if it does not exist and {@code mayBeMissing}; null, with the
     * problem printed, if it cannot be used.
     */
    static Optional<UsersFile> readOrReport(Path file, PrintWriter err, boolean mayBeMissing) {
        try {
            return Optional.of(UsersFile.read(file));
        } catch (NoSuchFileException e) {
            if (mayBeMissing) {
                if (!Files.isDirectory(file.toAbsolutePath().getParent())) {
                    err.println(file + ": its directory does not exist");
                    return null;
                }
                return Optional.empty();
            }
            err.println(file + ": no such file (add a user with 'wormhole user add NAME')");
            return null;
        } catch (IOException e) {
            err.println(file + ": " + IoErrors.reason(e));
            return null;
        } catch (UsersFileException e) {
            e.problems().forEach(err::println);
            err.println(file + ": " + e.problems().size() + " error(s); nothing changed");
            return null;
        }
    }

    /**
     * A password from the terminal (asked twice, not echoed) or the first line of {@code in}; null,
     * with the reason printed, if there is none.
     */
    static char[] readPassword(String name, InputStream in, Console console, PrintWriter err) {
        if (console != null) {
            char[] first = console.readPassword("New password for %s: ", name);
            char[] again = first == null ? null : console.readPassword("Retype the password: ");
            if (first == null || again == null) {
                err.println("no password given; nothing changed");
                return null;
            }
            if (!Arrays.equals(first, again)) {
                err.println("the passwords do not match; nothing changed");
                return null;
            }
            Arrays.fill(again, '\0');
            return first;
        }
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        try {
            for (int c = in.read(); c >= 0 && c != '\n'; c = in.read()) {
                if (line.size() > 4096) {
                    err.println("the first line of stdin is too long for a password; nothing changed");
                    return null;
                }
                line.write(c);
            }
        } catch (IOException e) {
            err.println("cannot read the password from stdin: " + e.getMessage());
            return null;
        }
        String s = line.toString(StandardCharsets.UTF_8);
        if (s.endsWith("\r")) {
            s = s.substring(0, s.length() - 1);
        }
        if (s.isEmpty()) {
            err.println("no password on stdin (give it as the first line, or run this in a terminal); nothing changed");
            return null;
        }
        return s.toCharArray();
    }
}
