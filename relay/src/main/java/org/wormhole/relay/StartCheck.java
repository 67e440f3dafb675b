package org.wormhole.relay;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;
import org.wormhole.link.SiteIdentity;
import org.wormhole.mailertable.LineError;
import org.wormhole.mailertable.Mailertable;
import org.wormhole.mailertable.MailertableException;
import org.wormhole.relay.config.RelayConfig;
import org.wormhole.relay.peers.PeerRouteCheck;
import org.wormhole.relay.smtpd.auth.UsersFile;
import org.wormhole.relay.smtpd.auth.UsersFileException;

/**
 * What {@code wormhole run} would fail on, found beforehand on disk (as {@code postfix check}):
 * the site key when peers are configured (there, readable, mode 600 in a mode-700 directory),
 * the smtpd TLS files, the submission users file when submission_listen is set, the spool
 * (writable, every file the relay's own) and the mailertable (loads, every {@code tsmtp} route to
 * a configured peer). Each problem as {@code FILE:LINE: what
 * is wrong; the fix}, the line being that of the key the problem is about. Reads only.
 */
public final class StartCheck {

    private final RelayConfig config;
    private final Function<String, String> at;
    private final String user;
    private final List<String> problems = new ArrayList<>();

    private StartCheck(RelayConfig config, Function<String, String> at, String user) {
        this.config = config;
        this.at = at;
        this.user = user;
    }

    /**
     * Every problem found, for a relay run by {@code user}.
     *
     * @param at where a key is set: {@code FILE:LINE: } (ConfigLoader.origins)
     */
    public static List<String> problems(RelayConfig config, Function<String, String> at, String user) {
        StartCheck check = new StartCheck(config, at, user);
        if (!config.peers().isEmpty()) {
            check.siteKey();
        }
        check.smtpdTls();
        if (config.submission().listen().isPresent()) {
            check.submissionUsers();
        }
        check.spool();
        check.mailertable();
        return List.copyOf(check.problems);
    }

    private void problem(String key, String text) {
        problems.add(at.apply(key) + key + ": " + text);
    }

    /** The link key: run refuses a missing, unreadable or group/world-accessible key. */
    private void siteKey() {
        Path dir = config.link().keyDirectory();
        if (!Files.isDirectory(dir)) {
            problem("link_key_directory", "peers are configured but " + dir + " does not exist (create the site key"
                    + " with 'wormhole keygen')");
            return;
        }
        mode(dir).filter(StartCheck::groupOrOthers).ifPresent(m -> problem("link_key_directory",
                dir + " is accessible to others (mode " + PosixFilePermissions.toString(m) + "); chmod 700 " + dir));
        Path key = dir.resolve(SiteIdentity.KEY_FILE);
        Optional<Set<PosixFilePermission>> keyMode = mode(key);
        if (keyMode.isPresent() && groupOrOthers(keyMode.get())) {
            problem("link_key_directory", key + ": private key is accessible to others (mode "
                    + PosixFilePermissions.toString(keyMode.get()) + "); chmod 600 " + key);
            return; // run refuses it for this; the rest would say the same
        }
        try {
            SiteIdentity.load(dir);
        } catch (NoSuchFileException e) {
            problem("link_key_directory", "peers are configured but there is no site key in " + dir
                    + " (" + e.getFile() + " is missing; create it with 'wormhole keygen')");
        } catch (AccessDeniedException e) {
            problem("link_key_directory", PermissionDenied.explain(Path.of(e.getFile()), config.queue().directory(), user));
        } catch (IOException | RuntimeException e) {
            problem("link_key_directory", e.getMessage());
        }
    }

    /** STARTTLS for clients: the files load; the key is not readable by everyone. */
    private void smtpdTls() {
        if (config.smtpd().tlsKeyFile().isEmpty() || config.smtpd().tlsCertFile().isEmpty()) {
            return;
        }
        Path key = config.smtpd().tlsKeyFile().get();
        mode(key).filter(m -> m.contains(PosixFilePermission.OTHERS_READ)).ifPresent(m -> problem("smtpd_tls_key_file",
                key + ": private key is readable by everyone (mode " + PosixFilePermissions.toString(m) + "); chmod 600 "
                        + key));
        try {
            TlsFiles.serverContext(config.smtpd().tlsCertFile(), config.smtpd().tlsKeyFile());
        } catch (AccessDeniedException e) {
            problem("smtpd_tls_key_file", PermissionDenied.explain(Path.of(e.getFile()), config.queue().directory(), user));
        } catch (NoSuchFileException e) {
            problem(e.getFile().equals(key.toString()) ? "smtpd_tls_key_file" : "smtpd_tls_cert_file",
                    e.getFile() + " does not exist");
        } catch (IOException | RuntimeException e) {
            problem("smtpd_tls_key_file", e.getMessage());
        }
    }

    /** The submission users file: run refuses a missing or bad one; its hashes are for the relay's eyes only. */
    private void submissionUsers() {
        Path file = config.submission().usersFile();
        mode(file).filter(m -> m.stream().anyMatch(p -> p.name().startsWith("OTHERS_"))).ifPresent(m -> problem(
                "submission_users_file", file + ": password hashes are accessible to everyone (mode "
                        + PosixFilePermissions.toString(m) + "); chmod 600 " + file));
        try {
            UsersFile.read(file);
        } catch (NoSuchFileException e) {
            problem("submission_users_file", "submission_listen is set but " + file + " does not exist (add a user"
                    + " with 'wormhole user add NAME')");
        } catch (AccessDeniedException e) {
            problem("submission_users_file", PermissionDenied.explain(file, config.queue().directory(), user));
        } catch (UsersFileException e) {
            problems.addAll(e.problems());
        } catch (IOException e) {
            problem("submission_users_file", "cannot read " + file + ": " + e.getMessage());
        }
    }

    /**
     * The spool: creatable or writable, and every directory and file in it owned by the relay's
     * user (as root, the user the spool directory belongs to): a file left by a run as root
     * stops a relay run as its own user.
     */
    private void spool() {
        Path root = config.queue().directory();
        if (!Files.exists(root)) {
            Path parent = root.toAbsolutePath().getParent();
            while (parent != null && !Files.exists(parent)) {
                parent = parent.getParent();
            }
            if (parent != null && !Files.isWritable(parent)) {
                problem("queue_directory", root + " does not exist and " + parent + " is not writable by " + user
                        + " to create it");
            }
            return;
        }
        if (!Files.isDirectory(root)) {
            problem("queue_directory", root + " is not a directory");
            return;
        }
        Optional<String> rootOwner = owner(root);
        String owner = user.equals("root") && rootOwner.isPresent() ? rootOwner.get() : user;
        List<Path> foreign = new ArrayList<>();
        String firstOwner = null;
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                Optional<String> o = owner(p);
                if (o.isPresent() && !o.get().equals(owner)) {
                    if (foreign.isEmpty()) {
                        firstOwner = o.get();
                    }
                    foreign.add(p);
                }
            }
        } catch (IOException | UncheckedIOException e) {
            problem("queue_directory", PermissionDenied.file(e)
                    .map(f -> PermissionDenied.explain(f, root, user))
                    .orElse("cannot read " + root + ": " + e.getMessage()));
            return;
        }
        if (!foreign.isEmpty()) {
            problem("queue_directory", foreign.get(0) + " is owned by " + firstOwner + ", not " + owner
                    + (foreign.size() > 1 ? " (and " + (foreign.size() - 1) + " more)" : "") + "; run chown -R "
                    + owner + " " + root);
        } else if (!Files.isWritable(root)) {
            problem("queue_directory", root + " is not writable by " + user + "; run chmod -R u+rwX " + root);
        }
    }

    /** The table: run refuses one that does not load, or routes over a link to an unknown peer. */
    private void mailertable() {
        Path file = config.mailertable().file();
        try {
            Mailertable table = Mailertable.load(file);
            new PeerRouteCheck(config).check(table).errors().forEach(e -> problems.add(e.toString()));
        } catch (MailertableException e) {
            e.errors().stream().map(LineError::toString).forEach(problems::add);
        } catch (NoSuchFileException e) {
            problem("mailertable", file + " does not exist (an empty file is a table with no entries)");
        } catch (AccessDeniedException e) {
            problem("mailertable", PermissionDenied.explain(file, config.queue().directory(), user));
        } catch (IOException e) {
            problem("mailertable", "cannot read " + file + ": " + e.getMessage());
        }
    }

    private static boolean groupOrOthers(Set<PosixFilePermission> m) {
        return m.stream().anyMatch(p -> p.name().startsWith("GROUP_") || p.name().startsWith("OTHERS_"));
    }

    private static Optional<Set<PosixFilePermission>> mode(Path p) {
        try {
            return Optional.of(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
        } catch (IOException | UnsupportedOperationException e) {
            return Optional.empty();
        }
    }

    private static Optional<String> owner(Path p) {
        try {
            return Optional.of(Files.getOwner(p, LinkOption.NOFOLLOW_LINKS).getName());
        } catch (IOException | UnsupportedOperationException e) {
            return Optional.empty();
        }
    }
}
