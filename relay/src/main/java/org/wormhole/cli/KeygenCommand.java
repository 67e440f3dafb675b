package org.wormhole.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.wormhole.link.SiteIdentity;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code wormhole keygen}: the site's link key pair, and its pin for the peer's admin. */
@Command(name = "keygen", mixinStandardHelpOptions = true,
        description = {"Create this site's key pair (EC P-256) and self-signed certificate for the link.",
                "Prints the site's pin (sha256/...) on stdout: give it to the peer site's admin.",
                "Never overwrites an existing key."})
final class KeygenCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--dir", paramLabel = "DIR",
            description = "key directory (default: the configured link_key_directory, keys/ under WORMHOLE_HOME by default)")
    Path dir;

    @CommandLine.Mixin
    ConfigOption config;

    @Option(names = "--name", paramLabel = "NAME", description = "site name in the certificate (default: the directory's parent name)")
    String name;

    @Option(names = "--days", paramLabel = "DAYS", defaultValue = "1825",
            description = "certificate validity in days (default: ${DEFAULT-VALUE}); the relay warns 30 days before expiry")
    int days;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Path d = dir != null ? dir : config.linkKeyDirectory(err);
        if (d == null) {
            return 1;
        }
        String n = name != null ? name : d.toAbsolutePath().getParent() == null ? "wormhole"
                : d.toAbsolutePath().getParent().getFileName().toString();
        if (days < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--days must be at least 1");
        }
        try {
            SiteIdentity id = SiteIdentity.generate(d, n, Duration.ofDays(days));
            err.println("created " + d.resolve(SiteIdentity.KEY_FILE) + " (mode 0600) and " + d.resolve(SiteIdentity.CERT_FILE)
                    + ", valid until " + id.notAfter());
            err.println("this site's pin (put it in the peer's configuration):");
            err.flush();
            out.println(id.pin());
            return 0;
        } catch (FileAlreadyExistsException e) {
            err.println(e.getFile() + ": " + e.getReason());
            return 1;
        } catch (AccessDeniedException e) {
            // Typically: the key directory's parent belongs to root (/etc/wormhole), keygen runs as the relay's user.
            Path where = e.getFile() == null ? d : Path.of(e.getFile());
            err.println(where + ": permission denied; " + (Files.isDirectory(d)
                    ? "the key directory must be writable by this user"
                    : "create the key directory first, as root: install -d -o USER -g USER -m 0700 " + d
                            + " (USER: the relay's user)"));
            return 1;
        } catch (IOException e) {
            String m = IoErrors.reason(e);
            err.println(m.startsWith(d.toString()) ? m : d + ": " + m);
            return 1;
        }
    }
}
