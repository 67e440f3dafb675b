package org.wormhole.relay;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;

/**
 * A file the relay may not read or change, explained with its cause and the fix, as an operator
 * needs it: {@code permission denied: /var/spool/wormhole/deferred/ID is owned by root; run
 * chown -R wormhole /var/spool/wormhole} (a relay started once as root leaves such files).
 */
public final class PermissionDenied {

    private PermissionDenied() {
    }

    /** The file of the first {@link AccessDeniedException} in {@code e}'s causes, if any. */
    public static Optional<Path> file(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof AccessDeniedException a && a.getFile() != null) {
                return Optional.of(Path.of(a.getFile()));
            }
        }
        return Optional.empty();
    }

    /**
     * The explanation of the first {@link AccessDeniedException} in {@code e}'s causes, if any. A
     * rename names two files: the one whose path leads through something not {@code user}'s is
     * the one explained (say {@code active/} left owned by root).
     */
    public static Optional<String> explain(Throwable e, Path spool, String user) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof AccessDeniedException a && a.getFile() != null) {
                Path file = Path.of(a.getFile());
                if (a.getOtherFile() != null && foreign(file, spool, user).isEmpty()) {
                    Path other = Path.of(a.getOtherFile());
                    if (foreign(other, spool, user).isPresent()) {
                        return Optional.of(explain(other, spool, user));
                    }
                }
                return Optional.of(explain(file, spool, user));
            }
        }
        return Optional.empty();
    }

    /** The name of the user this process runs as. */
    public static String currentUser() {
        return System.getProperty("user.name");
    }

    /**
     * What to tell the operator when {@code user} was denied {@code file}: the first of the file
     * and its directories (up to the spool) not owned by {@code user}, and the chown that fixes
     * it; if all are {@code user}'s, the mode and the chmod.
     *
     * @param spool the queue directory: a file under it is fixed for the whole spool
     */
    public static String explain(Path file, Path spool, String user) {
        Path f = file.toAbsolutePath().normalize();
        Path root = spool.toAbsolutePath().normalize();
        boolean inSpool = f.startsWith(root);
        Optional<Path> foreign = foreign(f, root, user);
        if (foreign.isPresent()) {
            Path p = foreign.get();
            return "permission denied: " + p + " is owned by " + owner(p).orElse("?") + "; run "
                    + (inSpool ? "chown -R " + user + " " + root : "chown " + user + " " + p
                    + " (or make it readable by " + user + ")");
        }
        return "permission denied: " + f + mode(f) + " for " + user + "; run "
                + (inSpool ? "chmod -R u+rwX " + root : "chmod u+rw " + f);
    }

    /** The first of {@code file} and its directories (up to the spool, or its own directory) not {@code user}'s. */
    private static Optional<Path> foreign(Path file, Path spool, String user) {
        Path f = file.toAbsolutePath().normalize();
        Path root = spool.toAbsolutePath().normalize();
        boolean inSpool = f.startsWith(root);
        for (Path p = f; p != null && (inSpool ? p.startsWith(root) : p.equals(f) || p.equals(f.getParent()));
                p = p.getParent()) {
            Optional<String> owner = owner(p);
            if (owner.isPresent() && !owner.get().equals(user)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    private static Optional<String> owner(Path p) {
        try {
            return Optional.of(Files.getOwner(p, LinkOption.NOFOLLOW_LINKS).getName());
        } catch (IOException | UnsupportedOperationException e) {
            return Optional.empty(); // not there, or its directory may not be searched: look further up
        }
    }

    private static String mode(Path p) {
        try {
            return " (mode " + PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS))
                    + ")";
        } catch (IOException | UnsupportedOperationException e) {
            return "";
        }
    }
}
