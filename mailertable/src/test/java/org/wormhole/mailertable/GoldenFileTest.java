package org.wormhole.mailertable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Golden files, as Postfix's transport.in / transport.ref: for each {@code NAME.table} in
 * {@code src/test/resources/golden}, either the probes of {@code NAME.in} give exactly
 * {@code NAME.ref}, or loading it fails with exactly the lines of {@code NAME.errors}.
 *
 * <p>To regenerate the .ref files after an intended change, run with
 * {@code -Dgolden.update=true} and review the diff.
 */
class GoldenFileTest {

    private static final Path DIR = Paths.get("src/test/resources/golden");

    @TestFactory
    Stream<DynamicTest> everyGoldenTable() throws IOException {
        try (Stream<Path> files = Files.list(DIR)) {
            List<Path> tables = files.filter(p -> p.toString().endsWith(".table")).sorted().toList();
            assertTrue(tables.size() >= 4, "golden tables missing from " + DIR.toAbsolutePath());
            return tables.stream().map(t -> DynamicTest.dynamicTest(t.getFileName().toString(), () -> check(t)));
        }
    }

    private static void check(Path table) throws Exception {
        String base = table.getFileName().toString().replaceFirst("\\.table$", "");
        Path errors = DIR.resolve(base + ".errors");
        byte[] content = Files.readAllBytes(table);
        if (Files.exists(errors)) {
            MailertableException e = assertThrows(MailertableException.class,
                    () -> Mailertable.parse(table.getFileName().toString(), content));
            String actual = e.errors().stream().map(LineError::toString).collect(Collectors.joining("\n"));
            assertEquals(Files.readString(errors).strip(), actual);
            return;
        }
        Mailertable mt = Mailertable.parse(table.getFileName().toString(), content);
        List<String> out = new ArrayList<>();
        for (String probe : Files.readAllLines(DIR.resolve(base + ".in"), StandardCharsets.UTF_8)) {
            out.add(probe.isBlank() || probe.startsWith("#") ? probe : probe + " -> " + render(mt, probe.strip()));
        }
        String actual = String.join("\n", out) + "\n";
        Path ref = DIR.resolve(base + ".ref");
        if (Boolean.getBoolean("golden.update")) {
            Files.writeString(ref, actual);
        }
        assertEquals(Files.readString(ref), actual, "probes of " + base + ".in");
    }

    /** One probe's answer on one line: the value after substitution, then what it means. */
    static String render(Mailertable mt, String probe) {
        Lookup l;
        try {
            l = mt.lookup(probe);
        } catch (IllegalArgumentException e) {
            return "invalid: " + e.getMessage();
        }
        if (l instanceof Lookup.Found f) {
            return f.value() + " | " + f.describe();
        }
        if (l instanceof Lookup.TempFail t) {
            return "tempfail: " + t.reason();
        }
        return "no match";
    }
}
