package org.wormhole.mailertable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the reload log line says changed between two versions of a table. */
class TableDiffTest {

    private static Mailertable table(String text) throws MailertableException {
        return Mailertable.parse("t", text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void reportsAddedRemovedAndChangedKeysByTheirCanonicalForm() throws Exception {
        Mailertable before = table("Tokyo.Example. tsmtp:[relay.tokyo.example]\nold.example esmtp:[a.example]\n"
                + "same.example esmtp:[s.example]\n");
        Mailertable after = table("tokyo.example tsmtp:[relay2.tokyo.example]\nsame.example esmtp:[s.example]\n"
                + "* relay:[smarthost.example]\n");
        TableDiff d = TableDiff.between(before, after);
        assertEquals(List.of("."), d.added());
        assertEquals(List.of("old.example"), d.removed());
        assertEquals(List.of("tokyo.example"), d.changed());
        assertEquals("1 added [.], 1 removed [old.example], 1 changed [tokyo.example]", d.toString());
    }

    @Test
    void aResaveWithOnlyCommentsChangedIsNoChange() throws Exception {
        TableDiff d = TableDiff.between(table("a.example esmtp:[x.example]\n"),
                table("# edited by jane\na.example\tesmtp:[x.example]\n"));
        assertTrue(d.isEmpty());
        assertEquals("0 added, 0 removed, 0 changed", d.toString());
    }

    @Test
    void longListsAreCutInTheLogLine() throws Exception {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 25; i++) {
            sb.append("d").append(i).append(".example esmtp:[x.example]\n");
        }
        String s = TableDiff.between(table(""), table(sb.toString())).toString();
        assertTrue(s.startsWith("25 added [d0.example, d1.example,"), s);
        assertTrue(s.contains("d9.example, ...], 0 removed"), s);
    }
}
