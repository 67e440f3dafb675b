package org.wormhole.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wormhole.relay.config.ConfigLoader;
import org.wormhole.relay.config.RelayConfig;

/**
 * The Debian package, wormhole_VERSION_all.deb, as dpkg-deb shows it to an admin before
 * {@code dpkg -i}: what it installs where with which modes, what it keeps on upgrade, what it
 * depends on, and maintainer scripts that a shell can read. Skipped where dpkg-deb is missing.
 */
class DebianPackageTest {

    private static final Path CLONE = Path.of("..").toAbsolutePath().normalize();

    @TempDir
    Path tmp;

    private Path deb;

    @BeforeEach
    void needDpkgDeb() {
        deb = PackagedArtifacts.debianPackage();
        boolean dpkgDeb;
        try {
            dpkgDeb = CommandRun.run(tmp, "dpkg-deb", "--version").exit() == 0;
        } catch (IOException | InterruptedException e) {
            dpkgDeb = false;
        }
        assumeTrue(dpkgDeb, "dpkg-deb is not installed (Debian's dpkg package): " + deb + " is not checked");
    }

    @Test
    void itInstallsTheLauncherTheJarTheConfigurationAndTwoDirectoriesOnlyItsUserMayEnter() throws Exception {
        Map<String, String> modes = new LinkedHashMap<>(); // ./path -> "drwx------ root/root"
        for (String line : CommandRun.run(tmp, "dpkg-deb", "-c", deb).ok().out().split("\n")) {
            String[] f = line.trim().split("\\s+");
            modes.put(f[f.length - 1].replaceAll("/$", ""), f[0] + " " + f[1]);
        }
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("./usr/bin/wormhole", "-rwxr-xr-x root/root");
        expected.put("./usr/share/wormhole/wormhole.jar", "-rw-r--r-- root/root");
        expected.put("./etc/wormhole", "drwxr-xr-x root/root");
        expected.put("./etc/wormhole/wormhole.conf", "-rw-r--r-- root/root");
        expected.put("./etc/wormhole/mailertable", "-rw-r--r-- root/root");
        expected.put("./etc/wormhole/keys", "drwx------ root/root"); // postinst: owned by wormhole
        expected.put("./var/spool/wormhole", "drwx------ root/root"); // postinst: owned by wormhole
        expected.put("./lib/systemd/system/wormhole.service", "-rw-r--r-- root/root");
        expected.put("./usr/share/doc/wormhole/wormhole.conf", "-rw-r--r-- root/root");
        expected.put("./usr/share/doc/wormhole/README.md", "-rw-r--r-- root/root");
        expected.forEach((path, mode) -> assertEquals(mode, modes.get(path), path + " in\n" + modes));
        List<String> underEtc = modes.keySet().stream().filter(p -> p.startsWith("./etc/")).toList();
        assertEquals(Set.of("./etc/wormhole", "./etc/wormhole/wormhole.conf", "./etc/wormhole/mailertable",
                "./etc/wormhole/keys"), Set.copyOf(underEtc), "nothing else in /etc");

        assertEquals("wormhole\n", field("Package"));
        assertEquals("all\n", field("Architecture"));
        assertEquals("default-jre-headless (>= 2:1.17) | java17-runtime-headless, adduser\n", field("Depends"));
        assertEquals(deb.getFileName().toString().split("_")[1] + "\n", field("Version"), "wormhole_VERSION_all.deb");
        // "     1070 bytes,    39 lines   *  postinst             #!/bin/sh" (* executable)
        String info = CommandRun.run(tmp, "dpkg-deb", "-I", deb).ok().out();
        Set<String> members = info.lines().filter(l -> l.contains(" bytes, "))
                .map(l -> l.replaceFirst("^.* lines? +(\\* +)?", "").split(" +")[0]).collect(Collectors.toSet());
        assertTrue(members.containsAll(List.of("control", "conffiles", "md5sums", "postinst", "prerm", "postrm")),
                members + " in\n" + info);
    }

    @Test
    void itKeepsTheConfigurationOnUpgradeAndDeletesTheQueueAndKeyOnlyOnPurge() throws Exception {
        Path control = tmp.resolve("DEBIAN");
        CommandRun.run(tmp, "dpkg-deb", "-e", deb, control).ok();
        assertEquals(List.of("/etc/wormhole/wormhole.conf", "/etc/wormhole/mailertable"),
                Files.readAllLines(control.resolve("conffiles")));
        for (String script : List.of("postinst", "prerm", "postrm")) {
            Path s = control.resolve(script);
            assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(s)), script);
            CommandRun syntax = CommandRun.run(tmp, "sh", "-n", s);
            assertEquals(0, syntax.exit(), syntax.toString());
        }
        String postinst = Files.readString(control.resolve("postinst"));
        assertTrue(postinst.contains("adduser --system"), postinst);
        assertTrue(postinst.contains("dpkg-statoverride --update --add wormhole wormhole 0700 \"$dir\""), postinst);
        String postrm = Files.readString(control.resolve("postrm"));
        int purge = postrm.indexOf("    purge)");
        int remove = postrm.indexOf("    remove)");
        int rm = postrm.indexOf("rm -rf /var/spool/wormhole /etc/wormhole/keys");
        assertTrue(purge >= 0 && purge < rm && rm < remove && postrm.indexOf("rm -rf", rm + 1) < 0,
                "the queue and the key are deleted in the purge branch only:\n" + postrm);
    }

    @Test
    void theInstalledConfigurationPointsAtTheSpoolTheTableAndTheKeysItInstalls() throws Exception {
        Path root = tmp.resolve("root");
        CommandRun.run(tmp, "dpkg-deb", "-x", deb, root).ok();
        RelayConfig c = ConfigLoader.load(root.resolve("etc/wormhole/wormhole.conf"), Path.of("/etc/wormhole"));
        assertEquals(Path.of("/var/spool/wormhole"), c.queue().directory());
        assertEquals(Path.of("/etc/wormhole/mailertable"), c.mailertable().file());
        assertEquals(Path.of("/etc/wormhole/keys"), c.link().keyDirectory());
        assertEquals(Path.of("/etc/wormhole/keys/submission-users"), c.submission().usersFile(),
                "the AUTH users file where the wormhole user can read it (keys/, 0700)");

        // The unit: the packaged launcher as the wormhole user, in the sample unit's sandbox.
        List<String> unit = Files.readAllLines(root.resolve("lib/systemd/system/wormhole.service"));
        assertTrue(unit.contains("ExecStart=/usr/bin/wormhole run"), String.join("\n", unit));
        assertTrue(unit.contains("ExecReload=/usr/bin/wormhole reload"), String.join("\n", unit));
        assertTrue(unit.contains("User=wormhole"), String.join("\n", unit));
        for (String directive : Files.readAllLines(CLONE.resolve("samples/branch-office/wormhole.service"))) {
            boolean sandbox = !directive.isBlank() && !directive.startsWith("#")
                    && !directive.startsWith("ExecStart=") && !directive.startsWith("ExecReload=")
                    && !directive.startsWith("Environment=");
            if (sandbox) {
                assertTrue(unit.contains(directive), "the packaged unit lacks the sample's " + directive);
            }
        }
    }

    private String field(String name) throws Exception {
        return CommandRun.run(tmp, "dpkg-deb", "-f", deb, name).ok().out();
    }
}
