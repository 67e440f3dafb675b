package org.wormhole.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The words for a file the relay may not read or change, on real files: its owner and the
 * chown when it is someone else's, its mode and the chmod when it is the relay user's own.
 * (The kernel's refusal itself is exercised by StartErrorsTest, run as another user.)
 */
class PermissionDeniedTest {

    @TempDir
    Path spool;

    private final String me = System.getProperty("user.name");

    @Test
    void aSpoolFileOfAnotherOwnerNamesItAndTheChownOfTheWholeSpool() throws Exception {
        Path file = Files.writeString(Files.createDirectories(spool.resolve("deferred")).resolve("1K8RM6LQQ00GD2"), "x");
        Exception denied = new java.io.IOException("wrapped", new AccessDeniedException(file.toString()));
        Path named = PermissionDenied.file(denied).orElseThrow();
        assertEquals("permission denied: " + file + " is owned by " + me + "; run chown -R wormhole " + spool,
                PermissionDenied.explain(named, spool, "wormhole"));
    }

    @Test
    void aRenameIntoADirectoryOfAnotherOwnerNamesThatDirectory() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(me.equals("root"), "giving a directory to another user needs root");
        Path file = Files.writeString(Files.createDirectories(spool.resolve("deferred")).resolve("1K8RM6LQQ00GD2"), "x");
        Path active = Files.createDirectories(spool.resolve("active"));
        Files.setOwner(active, spool.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));
        AccessDeniedException rename = new AccessDeniedException(file.toString(),
                active.resolve("1K8RM6LQQ00GD2").toString(), null);
        assertEquals(java.util.Optional.of("permission denied: " + active + " is owned by nobody; run chown -R root "
                + spool), PermissionDenied.explain(rename, spool, "root"));
    }

    @Test
    void aFileOfTheRelaysOwnUserNamesItsModeAndTheChmod() throws Exception {
        Path file = Files.writeString(Files.createDirectories(spool.resolve("deferred")).resolve("1K8RM6LQQ00GD2"), "x");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("---------"));
        assertEquals("permission denied: " + file + " (mode ---------) for " + me + "; run chmod -R u+rwX " + spool,
                PermissionDenied.explain(file, spool, me));
    }

    @Test
    void aFileOutsideTheSpoolIsFixedByItself() throws Exception {
        Path key = Files.writeString(spool.resolveSibling(spool.getFileName() + "-site.key"), "x");
        try {
            assertEquals("permission denied: " + key + " is owned by " + me + "; run chown wormhole " + key
                    + " (or make it readable by wormhole)", PermissionDenied.explain(key, spool, "wormhole"));
        } finally {
            Files.delete(key);
        }
    }
}
