package org.wormhole.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * samples/branch-office/README.md, steps 1, 2 and 8, as its admin does them: /etc/wormhole owned
 * by root and readable by the relay's group, keys made by the relay's own user, a key rolled
 * over into a new directory. Here under a temporary root, with {@code nobody}/{@code nogroup}
 * standing in for the wormhole user (needs root and runuser).
 */
class KeyRolloverWalkthroughTest {

    private static final Path JAR = Path.of("../relay/target/wormhole.jar").toAbsolutePath().normalize();
    private static final Path TOKYO = Path.of("../samples/branch-office/tokyo").toAbsolutePath().normalize();

    @TempDir
    Path tmp;

    private Path etc;

    /** What one command as the relay's user printed and how it exited. */
    record Run(int exit, String out, String err) {
    }

    private Run asRelayUser(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("runuser", "-u", "nobody", "--", "env", "WORMHOLE_HOME=" + etc,
                "java", "-jar", tmp.resolve("opt/wormhole.jar").toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(tmp.toFile()).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), String.join(" ", args));
        return new Run(p.exitValue(), out, err);
    }

    /** install -d -o OWNER -g GROUP -m MODE DIR, as root. */
    private Path install(Path dir, String owner, String group, String mode) throws Exception {
        Files.createDirectories(dir);
        own(dir, owner, group, mode);
        return dir;
    }

    private static void own(Path p, String owner, String group, String mode) throws Exception {
        UserPrincipalLookupService users = p.getFileSystem().getUserPrincipalLookupService();
        PosixFileAttributeView view = Files.getFileAttributeView(p, PosixFileAttributeView.class);
        view.setOwner(users.lookupPrincipalByName(owner));
        view.setGroup(users.lookupPrincipalByGroupName(group));
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(mode));
    }

    @Test
    void keygenAsTheRelaysUserThenARolloverThatFingerprintFollows() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root (to play root and the relay's user)");
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/runuser")) || Files.isExecutable(Path.of("/sbin/runuser")),
                "needs runuser");
        UserPrincipal nobody;
        GroupPrincipal nogroup;
        try {
            nobody = tmp.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
            nogroup = tmp.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByGroupName("nogroup");
        } catch (java.io.IOException e) {
            assumeTrue(false, "needs user nobody and group nogroup");
            return;
        }
        assertTrue(nobody != null && nogroup != null);
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.copy(JAR, Files.createDirectories(tmp.resolve("opt")).resolve("wormhole.jar"));

        // Step 1 (install), re-rooted: /etc/wormhole root:wormhole 0750, keys/ wormhole 0700.
        etc = install(tmp.resolve("etc/wormhole"), "root", "nogroup", "rwxr-x---");
        Path config = install(etc.resolve("config"), "root", "nogroup", "rwxr-x---");
        for (String f : List.of("wormhole.conf", "mailertable")) {
            Files.copy(TOKYO.resolve(f), config.resolve(f));
            own(config.resolve(f), "root", "nogroup", "rw-r-----");
        }
        install(etc.resolve("keys"), "nobody", "nogroup", "rwx------");

        // Step 2: sudo -u wormhole wormhole keygen --name tokyo
        Run first = asRelayUser("keygen", "--name", "tokyo");
        assertEquals(0, first.exit(), first.err());
        assertTrue(first.err().startsWith("created " + etc.resolve("keys/site.key")), first.err());

        // Step 8, forgetting the directory: keygen says what to do.
        Path rolled = etc.resolve("keys.2027");
        Run refused = asRelayUser("keygen", "--dir", rolled.toString(), "--name", "tokyo");
        assertEquals(new Run(1, "", rolled + ": permission denied; create the key directory first, as root:"
                + " install -d -o USER -g USER -m 0700 " + rolled + " (USER: the relay's user)\n"), refused);

        // Step 8 as written: root makes the directory, the relay's user the key.
        install(rolled, "nobody", "nogroup", "rwx------");
        Run second = asRelayUser("keygen", "--dir", rolled.toString(), "--name", "tokyo");
        assertEquals(0, second.exit(), second.err());
        assertNotEquals(first.out(), second.out());

        // link_key_directory = "keys.2027", then: wormhole fingerprint prints the new pin.
        Files.writeString(config.resolve("wormhole.conf"), "\nlink_key_directory = \"keys.2027\"\n",
                StandardOpenOption.APPEND);
        assertEquals(new Run(0, second.out(), ""), asRelayUser("fingerprint"));
    }
}
