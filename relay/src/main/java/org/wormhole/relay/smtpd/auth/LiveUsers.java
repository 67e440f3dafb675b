package org.wormhole.relay.smtpd.auth;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.subethamail.smtp.MessageContext;
import org.subethamail.smtp.auth.LoginFailedException;
import org.subethamail.smtp.auth.UsernamePasswordValidator;

/**
 * The users file as the submission listener checks passwords against it: read at start, and read
 * again at the first AUTH after it changed (size, modification time or inode), so that
 * {@code wormhole user add|remove} takes effect without a restart. While the file is unreadable or
 * has errors, every AUTH fails temporarily ({@link Unavailable}: 454 4.7.0), never as a wrong
 * password, and the problem is logged once per version of the file. Thread-safe.
 */
public final class LiveUsers implements UsernamePasswordValidator {

    private static final Logger log = LoggerFactory.getLogger("smtpd");

    /** The users file cannot be used now: the AUTH in progress must get a 4xx. */
    public static final class Unavailable extends RuntimeException {
        Unavailable(String why) {
            super(why);
        }
    }

    private record Version(Object key, long size, long modified) {
        static Version of(Path file) throws IOException {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            return new Version(a.fileKey(), a.size(), a.lastModifiedTime().toMillis());
        }
    }

    private record Loaded(Version version, UsersFile users, String problem) {
    }

    private final Path file;
    private volatile Loaded loaded;

    private LiveUsers(Path file, Loaded loaded) {
        this.file = file;
        this.loaded = loaded;
    }

    /**
     * Reads the file now: a relay refuses to start on one it cannot use.
     *
     * @throws java.nio.file.NoSuchFileException there is no such file
     * @throws UsersFileException                a line is wrong
     */
    public static LiveUsers open(Path file) throws IOException, UsersFileException {
        Version v = Version.of(file);
        return new LiveUsers(file, new Loaded(v, UsersFile.read(file), null));
    }

    public Path file() {
        return file;
    }

    /** The users now, the file read again if it changed. */
    public UsersFile current() {
        Loaded l = loaded;
        Version v;
        try {
            v = Version.of(file);
        } catch (IOException e) {
            return unavailable(l, null, file + ": cannot read: " + e.getMessage());
        }
        if (v.equals(l.version())) {
            if (l.problem() != null) {
                throw new Unavailable(l.problem());
            }
            return l.users();
        }
        synchronized (this) {
            l = loaded;
            if (v.equals(l.version())) {
                return current();
            }
            try {
                UsersFile users = UsersFile.read(file);
                loaded = new Loaded(v, users, null);
                log.info("{}: users file reloaded ({} users)", file, users.users().size());
                return users;
            } catch (IOException e) {
                return unavailable(l, v, file + ": cannot read: " + e.getMessage());
            } catch (UsersFileException e) {
                return unavailable(l, v, String.join("; ", e.problems()));
            }
        }
    }

    private synchronized UsersFile unavailable(Loaded before, Version v, String problem) {
        if (!Objects.equals(problem, before.problem())) {
            log.warn("{}; AUTH fails with 454 4.7.0 until it is fixed", problem);
        }
        loaded = new Loaded(v, before.users(), problem);
        throw new Unavailable(problem);
    }

    /** The user {@code name} now. */
    public Optional<SubmissionUser> user(String name) {
        return current().user(name);
    }

    /**
     * SubEthaSMTP's check of a name and password (AUTH PLAIN and LOGIN): an unknown name costs
     * as long as a wrong password (of a hash with the cost of the file's first user).
     *
     * @throws Unavailable the users file cannot be used now
     */
    @Override
    public void login(String username, String password, MessageContext context) throws LoginFailedException {
        UsersFile users = current();
        Optional<SubmissionUser> u = users.user(username);
        if (u.isEmpty()) { // as long as a wrong password of the first user, the usual cost in a file
            PasswordHash.burn(users.users().stream().findFirst().map(f -> PasswordHash.cost(f.hash()))
                    .orElse(PasswordHash.DEFAULT_COST));
            throw new LoginFailedException();
        }
        if (!PasswordHash.matches(u.get().hash(), password)) {
            throw new LoginFailedException();
        }
    }
}
