package org.wormhole.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.wormhole.relay.config.ConfigLoader;
import org.wormhole.relay.config.RelayConfig;

/**
 * A clone used as WORMHOLE_HOME (the launcher's default): what `keygen` and `run` write there
 * with the default configuration never shows up in `git status`, least of all the private key.
 */
class CloneHygieneTest {

    private static final Path CLONE = Path.of("..").toAbsolutePath().normalize();

    @Test
    void theDefaultKeyAndQueueDirectoriesAreIgnoredByGit() throws Exception {
        assumeTrue(Files.exists(CLONE.resolve(".git")), "not a git checkout");
        RelayConfig defaults = ConfigLoader.defaults(CLONE);
        for (Path p : new Path[] {
                defaults.link().keyDirectory().resolve("site.key"),
                defaults.link().keyDirectory().resolve("site.crt"),
                CLONE.resolve("keys.2027/site.key"), // a rolled-over key, as samples/branch-office shows
                defaults.queue().directory().resolve("incoming/1K820IHON00HPP"),
                defaults.queue().directory().resolve("private/control"),
                CLONE.resolve("samples/branch-office/tokyo/keys/site.key")}) {
            assertEquals(0, checkIgnore(CLONE.relativize(p)), CLONE.relativize(p) + " is not ignored by git");
        }
        assertEquals(1, checkIgnore(Path.of("config/mailertable")), "the sources are not ignored");
    }

    /** {@code git check-ignore -q PATH}: 0 ignored, 1 not ignored. */
    private static int checkIgnore(Path relative) throws Exception {
        Process p;
        try {
            p = new ProcessBuilder("git", "-C", CLONE.toString(), "check-ignore", "-q", "--no-index", relative.toString())
                    .redirectErrorStream(true).start();
        } catch (java.io.IOException noGit) {
            assumeTrue(false, "no git: " + noGit.getMessage());
            return -1;
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(30, TimeUnit.SECONDS);
        if (p.exitValue() > 1) {
            throw new AssertionError("git check-ignore " + relative + ": " + out);
        }
        return p.exitValue();
    }
}
