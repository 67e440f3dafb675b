package org.wormhole.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code wormhole demo} as a newcomer runs it, through the real launcher: two relay processes
 * joined by the link on loopback, a message each way and one to an outside domain.
 */
class DemoTest {

    private static final Path LAUNCHER = Path.of("../relay/bin/wormhole").toAbsolutePath().normalize();

    @TempDir
    Path tmp;

    @Test
    void theDemoSendsAMessageEachWayAndOneOutsideAndSaysWhereEachWent() throws Exception {
        ProcessBuilder pb = new ProcessBuilder(LAUNCHER.toString(), "demo").directory(tmp.toFile());
        pb.environment().put("WORMHOLE_HOME", tmp.toString());
        pb.environment().put("WORMHOLE_JAVA_OPTS", "-Djava.io.tmpdir=" + tmp);
        Process p = pb.start();
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
        String out = read(p.getInputStream());
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the demo did not finish");
        String transcript = out + "\n--- stderr ---\n" + err.get();
        assertEquals(0, p.exitValue(), transcript);

        assertTrue(out.contains("\n  link tokyo -> birlinghoven up (TLS 1.3, both keys pinned)\n"), transcript);
        assertTrip(out, "1. Tokyo -> Birlinghoven: taro@tokyo.example -> bob@birlinghoven.example\n"
                + "   submitted to tokyo's relay: 250 2.0.0 Ok: queued as \\S+\n"
                + "   tokyo: \\S+: to=<bob@birlinghoven.example>, relay=link:birlinghoven, .*status=sent "
                + ".*\\(at birlinghoven, queue id \\S+\\)\\)\n"
                + "   birlinghoven: \\S+: to=<bob@birlinghoven.example>, relay=127.0.0.1\\[127.0.0.1\\].*status=sent .*\n"
                + "   arrived at Birlinghoven's mail hub \\(127.0.0.1:\\d+\\), through the link\n");
        assertTrip(out, "2. Birlinghoven -> Tokyo: bob@birlinghoven.example -> taro@tokyo.example\n"
                + "   submitted to birlinghoven's relay: 250 2.0.0 Ok: queued as \\S+\n"
                + "   birlinghoven: \\S+: to=<taro@tokyo.example>, relay=link:tokyo, .*status=sent .*\\(at tokyo, queue id \\S+\\)\\)\n"
                + "   tokyo: \\S+: to=<taro@tokyo.example>, relay=127.0.0.1\\[127.0.0.1\\].*status=sent .*\n"
                + "   arrived at Tokyo's mail hub \\(127.0.0.1:\\d+\\), through the link\n");
        assertTrip(out, "3. Tokyo -> outside: taro@tokyo.example -> someone@outside.example\n"
                + "   submitted to tokyo's relay: 250 2.0.0 Ok: queued as \\S+\n"
                + "   tokyo: \\S+: to=<someone@outside.example>, relay=127.0.0.1\\[127.0.0.1\\].*status=sent .*\n"
                + "   arrived at the MX of outside.example \\(127.0.0.1:\\d+\\), directly \\(not through the link\\)\n");
        assertTrue(out.endsWith("\n3 of 3 messages arrived where they should.\n"), transcript);

        Matcher dir = Pattern.compile("on loopback in (\\S+)\n").matcher(out);
        assertTrue(dir.find(), out);
        assertFalse(Files.exists(Path.of(dir.group(1))), "the demo removes its directory");
    }

    private static void assertTrip(String out, String regex) {
        assertTrue(Pattern.compile(regex).matcher(out).find(), "no\n" + regex + "\nin\n" + out);
    }

    private static String read(java.io.InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }
}
