package org.wormhole.harness;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * What relay's {@code mvn package} made besides the jar: the release archive and the Debian
 * package in relay/target (where the launcher tests find relay/target/wormhole.jar). A reactor
 * {@code mvn verify} packages relay before this module's tests run; a plain {@code mvn test}
 * does not, and the tests that need them are skipped, saying so.
 */
final class PackagedArtifacts {

    static final Path RELAY_TARGET = Path.of("../relay/target").toAbsolutePath().normalize();

    private PackagedArtifacts() {
    }

    /** {@code relay/target/wormhole-VERSION.tar.gz}. */
    static Path releaseArchive() {
        return newest("wormhole-*.tar.gz");
    }

    /** {@code relay/target/wormhole_VERSION_all.deb}. */
    static Path debianPackage() {
        return newest("wormhole_*_all.deb");
    }

    private static Path newest(String glob) {
        List<Path> found = new ArrayList<>();
        if (Files.isDirectory(RELAY_TARGET)) {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(RELAY_TARGET, glob)) {
                ds.forEach(found::add);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        assumeTrue(!found.isEmpty(), "no " + RELAY_TARGET.resolve(glob) + ": 'mvn package' (or verify) of relay makes it");
        return found.stream().max(Comparator.comparingLong(p -> p.toFile().lastModified())).orElseThrow();
    }
}
