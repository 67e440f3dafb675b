package org.wormhole.relay.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An empty myhostname: the machine's fully qualified name, as Postfix's default, never "localhost". */
class MachineHostnameTest {

    @TempDir
    Path home;

    /** What resolvers answer for the canonical name of a short host name (the outside world). */
    @Test
    void aShortHostNameIsCompletedByTheResolverUnlessItSaysLocalhost() {
        assertEquals("mail.example.org", MachineHostname.choose("mail", Map.of("mail", "mail.example.org")::get));
        assertEquals("relay.example.org", MachineHostname.choose("Relay.Example.ORG", n -> "localhost"),
                "a name with a dot is already qualified");
        // /etc/hosts "127.0.0.1 localhost" then "127.0.0.1 vm": the canonical name of vm is localhost.
        assertEquals("vm", MachineHostname.choose("vm", n -> "localhost"));
        assertEquals("vm", MachineHostname.choose("vm", n -> "localhost.localdomain"));
        assertEquals("vm", MachineHostname.choose("vm", n -> "127.0.1.1"), "no name for the address");
        assertEquals("vm", MachineHostname.choose("vm", n -> null), "the name does not resolve");
    }

    @Test
    void anEmptyMyhostnameIsThisMachinesNameNotLocalhost() throws Exception {
        Path proc = Path.of("/proc/sys/kernel/hostname");
        assumeTrue(Files.isReadable(proc), "no /proc");
        String kernel = Files.readString(proc).strip().toLowerCase(java.util.Locale.ROOT);
        assumeTrue(!kernel.isEmpty() && !kernel.equals("localhost"), "this machine is called localhost");

        String name = ConfigLoader.defaults(home).myhostname();
        assertNotEquals("localhost", name);
        assertEquals(true, name.equals(kernel) || name.startsWith(kernel + "."), name + " for host " + kernel);
    }
}
