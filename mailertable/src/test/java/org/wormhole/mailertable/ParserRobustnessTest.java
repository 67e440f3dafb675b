package org.wormhole.mailertable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Whatever an editor leaves in the file, loading ends in a table or in a list of line errors:
 * never an exception of another kind, never a silently dropped line.
 */
class ParserRobustnessTest {

    private static final String[] PIECES = {"a", "B", ".", "..", "*", "@", "[", "]", ":", "%", "%1", "%0", "%9",
        "IPv6:", "::1", "192.0.2.1", "300", "esmtp", "tsmtp", "error", "local", "discard", "5.7.1", "550", "451",
        " ", "\t", "#", "-", "_", "\u00e9", "\uFFFD", "65536", "0", "x".repeat(70), "\r"};

    @Test
    void randomLinesLoadOrFailWithLineErrorsOnly() {
        Random rnd = new Random(20261122);
        for (int round = 0; round < 3000; round++) {
            StringBuilder text = new StringBuilder();
            int lines = 1 + rnd.nextInt(6);
            for (int l = 0; l < lines; l++) {
                int pieces = rnd.nextInt(12);
                for (int p = 0; p < pieces; p++) {
                    text.append(PIECES[rnd.nextInt(PIECES.length)]);
                }
                text.append('\n');
            }
            byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
            try {
                Mailertable t = Mailertable.parse("fuzz", bytes);
                // Every entry it kept must answer a lookup of its own key without blowing up.
                for (String key : t.asMap().keySet()) {
                    String probe = key.equals(".") ? "x.example" : key.startsWith(".") ? "x" + key : key;
                    t.lookup(probe);
                }
            } catch (MailertableException e) {
                assertFalse(e.errors().isEmpty());
                e.errors().forEach(err -> assertEquals("fuzz", err.file()));
            }
        }
    }
}
