package org.wormhole.relay.smtpd.auth;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The submission users file ({@code submission_users_file}), one user a line:
 *
 * <pre>
 * # comment
 * NAME:BCRYPT
 * NAME:BCRYPT:ADDRESS,ADDRESS...
 * </pre>
 *
 * <p>{@code NAME:BCRYPT} is what {@code htpasswd -B} writes ({@code $2y$}; {@code $2a$} and
 * {@code $2b$} are read too), so such a file can be used as it is. The third field lists the
 * envelope senders the user owns for {@code submission_sender_login = strict}: addresses, or
 * {@code @domain} for a whole domain. Names are case-sensitive and unique; blank lines and lines
 * starting with {@code #} are kept as they are. Every problem is reported as {@code FILE:LINE: ...}.
 *
 * <p>Immutable: {@link #with} and {@link #without} give a changed copy, {@link #write} saves it
 * whole under a temporary name and renames it over the file (mode 0600 for a new file; an existing
 * file keeps its owner, group and mode, less any access for others), so the relay never reads a
 * half-written file.
 */
public final class UsersFile {

    private static final Set<PosixFilePermission> NEW_FILE_MODE = PosixFilePermissions.fromString("rw-------");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path path;
    /** Each line: a String (comment or blank, as read) or a SubmissionUser. */
    private final List<Object> lines;

    private UsersFile(Path path, List<Object> lines) {
        this.path = path;
        this.lines = List.copyOf(lines);
    }

    /** A file with no users yet, to be written at {@code path}. */
    public static UsersFile empty(Path path) {
        return new UsersFile(path, List.of());
    }

    /**
     * Reads and checks the file.
     *
     * @throws java.nio.file.NoSuchFileException there is no such file
     * @throws UsersFileException                a line is wrong: every such line, {@code FILE:LINE: ...}
     */
    public static UsersFile read(Path path) throws IOException, UsersFileException {
        return parse(path, Files.readString(path, StandardCharsets.UTF_8));
    }

    static UsersFile parse(Path path, String text) throws UsersFileException {
        List<Object> lines = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        Map<String, Integer> first = new HashMap<>();
        String[] raw = text.split("\n", -1);
        int count = text.endsWith("\n") ? raw.length - 1 : raw.length;
        for (int i = 0; i < count; i++) {
            String line = raw[i].endsWith("\r") ? raw[i].substring(0, raw[i].length() - 1) : raw[i];
            String where = path + ":" + (i + 1) + ": ";
            if (line.isBlank() || line.stripLeading().startsWith("#")) {
                lines.add(line);
                continue;
            }
            String[] f = line.strip().split(":", 3);
            if (f.length < 2) {
                problems.add(where + "expected NAME:BCRYPT-HASH[:ADDRESS,...]");
                continue;
            }
            if (!PasswordHash.isBcrypt(f[1])) {
                problems.add(where + "user '" + SubmissionUser.shown(f[0]) + "': not a bcrypt hash ($2y$..., as htpasswd -B"
                        + " writes it); set the password again with 'wormhole user add " + SubmissionUser.shown(f[0]) + "'");
                continue;
            }
            List<String> addresses = f.length < 3 || f[2].isBlank() ? List.of()
                    : Arrays.stream(f[2].split(",")).map(String::strip).toList();
            SubmissionUser user;
            try {
                user = new SubmissionUser(f[0], f[1], addresses);
            } catch (IllegalArgumentException e) {
                problems.add(where + e.getMessage());
                continue;
            }
            Integer before = first.putIfAbsent(user.name(), i + 1);
            if (before != null) {
                problems.add(where + "duplicate user '" + user.name() + "' (first at line " + before + ")");
                continue;
            }
            lines.add(user);
        }
        if (!problems.isEmpty()) {
            throw new UsersFileException(problems);
        }
        return new UsersFile(path, lines);
    }

    public Path path() {
        return path;
    }

    /** The users, in file order. */
    public List<SubmissionUser> users() {
        return lines.stream().filter(SubmissionUser.class::isInstance).map(SubmissionUser.class::cast).toList();
    }

    public Optional<SubmissionUser> user(String name) {
        return users().stream().filter(u -> u.name().equals(name)).findFirst();
    }

    /** With {@code user} in place of the line of the same name, or added at the end. */
    public UsersFile with(SubmissionUser user) {
        List<Object> next = new ArrayList<>(lines);
        for (int i = 0; i < next.size(); i++) {
            if (next.get(i) instanceof SubmissionUser u && u.name().equals(user.name())) {
                next.set(i, user);
                return new UsersFile(path, next);
            }
        }
        next.add(user);
        return new UsersFile(path, next);
    }

    /** Without the user {@code name} (the same file if there is none). */
    public UsersFile without(String name) {
        List<Object> next = new ArrayList<>(lines);
        next.removeIf(l -> l instanceof SubmissionUser u && u.name().equals(name));
        return new UsersFile(path, next);
    }

    /** The file's text. */
    public String text() {
        StringBuilder b = new StringBuilder();
        for (Object l : lines) {
            if (l instanceof SubmissionUser u) {
                b.append(u.name()).append(':').append(u.hash());
                if (!u.addresses().isEmpty()) {
                    b.append(':').append(String.join(",", u.addresses()));
                }
            } else {
                b.append(l);
            }
            b.append('\n');
        }
        return b.toString();
    }

    /**
     * Saves the file atomically: written and fsynced under a temporary name in its directory,
     * renamed over the file, the directory fsynced.
     */
    public void write() throws IOException {
        Path dir = path.toAbsolutePath().getParent();
        Set<PosixFilePermission> mode = NEW_FILE_MODE;
        PosixFileAttributes old = null;
        if (Files.exists(path)) {
            old = Files.readAttributes(path, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            mode = EnumSet.copyOf(old.permissions());
            mode.removeAll(EnumSet.of(PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE,
                    PosixFilePermission.OTHERS_EXECUTE));
            mode.add(PosixFilePermission.OWNER_READ);
            mode.add(PosixFilePermission.OWNER_WRITE);
        }
        Path tmp = temporary(dir);
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.write(ByteBuffer.wrap(text().getBytes(StandardCharsets.UTF_8)));
                ch.force(true);
            }
            PosixFileAttributeView view = Files.getFileAttributeView(tmp, PosixFileAttributeView.class);
            if (old != null) {
                keepOwner(view, old.owner(), old.group());
            }
            view.setPermissions(mode);
            Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
    }

    private void keepOwner(PosixFileAttributeView view, UserPrincipal owner, GroupPrincipal group) throws IOException {
        PosixFileAttributes now = view.readAttributes();
        try {
            if (!now.owner().equals(owner)) {
                view.setOwner(owner);
            }
            if (!now.group().equals(group)) {
                view.setGroup(group);
            }
        } catch (IOException e) {
            throw new IOException(path + ": cannot keep its owner " + owner.getName() + ":" + group.getName()
                    + " (run this as that user or as root)", e);
        }
    }

    /** A new empty file beside the users file, readable only by its owner from the start. */
    private Path temporary(Path dir) throws IOException {
        for (int i = 0; i < 10; i++) {
            Path tmp = dir.resolve("." + path.getFileName() + ".tmp" + Long.toHexString(RANDOM.nextLong()));
            try {
                return Files.createFile(tmp, PosixFilePermissions.asFileAttribute(NEW_FILE_MODE));
            } catch (FileAlreadyExistsException e) {
                // another name
            }
        }
        throw new IOException(dir + ": cannot create a temporary file");
    }
}
