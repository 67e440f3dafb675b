package org.wormhole.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.wormhole.link.Pin;
import org.wormhole.link.SiteIdentity;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code wormhole fingerprint [FILE]}: the pin of a site certificate. */
@Command(name = "fingerprint", mixinStandardHelpOptions = true,
        description = {"Print the pin (sha256/...) of a site certificate.",
                "Default: this site's, site.crt in the configured link_key_directory (keys/ under WORMHOLE_HOME by default)."})
final class FingerprintCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(arity = "0..1", paramLabel = "FILE", description = "a PEM certificate")
    Path file;

    @CommandLine.Mixin
    ConfigOption config;

    @Override
    public Integer call() {
        Path f = file;
        if (f == null) {
            Path keys = config.linkKeyDirectory(spec.commandLine().getErr());
            if (keys == null) {
                return 1;
            }
            f = keys.resolve(SiteIdentity.CERT_FILE);
            if (!Files.exists(f) && Files.exists(keys.resolve(SiteIdentity.KEY_FILE))) {
                spec.commandLine().getErr().println(SiteIdentity.keyWithoutCertificate(keys));
                return 1;
            }
        }
        try {
            spec.commandLine().getOut().println(Pin.of(SiteIdentity.readCertificate(f)));
            return 0;
        } catch (NoSuchFileException e) {
            spec.commandLine().getErr().println(f + ": no such file (create the site key with 'wormhole keygen')");
            return 1;
        } catch (IOException e) {
            String m = String.valueOf(e.getMessage());
            spec.commandLine().getErr().println(m.startsWith(f + ": ") ? m : f + ": " + m);
            return 1;
        }
    }
}
