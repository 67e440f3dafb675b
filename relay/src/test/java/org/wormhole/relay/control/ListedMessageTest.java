package org.wormhole.relay.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigSyntax;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.wormhole.relay.queue.QueueId;
import org.wormhole.relay.queue.QueueState;

/** A queue listing line as a script reads it: one JSON object, plain ASCII, every character back as it was. */
class ListedMessageTest {

    private static final String NASTY = "quote\" backslash\\ tab\t nl\n cr\r nul\u0000 esc\u001b del\u007f"
            + " jörg 日本 \ud83d\udce7 \u2028";

    private static ListedMessage message(String reason) {
        return new ListedMessage(QueueState.DEFERRED, new QueueId("1K820IHON00HPP"), 1_764_820_000L, 1234,
                "jörg@bücher.example", List.of(
                new ListedMessage.Recipient("\"odd local\"@dead.example", reason, 2, 1_764_820_060L, 1_764_820_360L),
                new ListedMessage.Recipient("new@dead.example", "", 0, 0, 1_764_820_000L)),
                1, "client.example 127.0.0.1 ESMTP", "", false);
    }

    @Test
    void aLineIsPostqueueJsonThatAnyParserReadsBack() {
        String line = message("connect to 127.0.0.1[127.0.0.1]:25: Connection refused").toJson();
        assertEquals("{\"queue_name\": \"deferred\", \"queue_id\": \"1K820IHON00HPP\", \"arrival_time\": 1764820000,"
                + " \"message_size\": 1234, \"sender\": \"j\\u00f6rg@b\\u00fccher.example\", \"recipients\": ["
                + "{\"address\": \"\\\"odd local\\\"@dead.example\","
                + " \"delay_reason\": \"connect to 127.0.0.1[127.0.0.1]:25: Connection refused\", \"attempts\": 2,"
                + " \"last_attempt_time\": 1764820060, \"next_attempt_time\": 1764820360},"
                + " {\"address\": \"new@dead.example\", \"attempts\": 0, \"last_attempt_time\": null,"
                + " \"next_attempt_time\": 1764820000}],"
                + " \"finished_recipients\": 1, \"client\": \"client.example 127.0.0.1 ESMTP\", \"origin\": null,"
                + " \"delay_warning_sent\": false}", line);

        Map<String, Object> parsed = parse(line);
        assertEquals("jörg@bücher.example", parsed.get("sender"));
        assertEquals(1764820000, parsed.get("arrival_time"));
        Map<?, ?> first = (Map<?, ?>) ((List<?>) parsed.get("recipients")).get(0);
        assertEquals("\"odd local\"@dead.example", first.get("address"));
        assertEquals(message("connect to 127.0.0.1[127.0.0.1]:25: Connection refused"), ListedMessage.fromJson(line));
    }

    @Test
    void controlCharactersQuotesAndNonAsciiSurviveOnOneAsciiLine() {
        ListedMessage m = message(NASTY);
        String line = m.toJson();
        assertTrue(line.chars().allMatch(c -> c >= 0x20 && c < 0x7f), line);
        Map<?, ?> first = (Map<?, ?>) ((List<?>) parse(line).get("recipients")).get(0);
        assertEquals(NASTY, first.get("delay_reason"));
        assertEquals(m, ListedMessage.fromJson(line));
        assertEquals(line, ListedMessage.fromJson(line).toJson());
    }

    @Test
    void mailFromALinkNamesItsOrigin() {
        ListedMessage m = new ListedMessage(QueueState.ACTIVE, new QueueId("1K820IHON00HPP"), 1, 2, "", List.of(), 0,
                "", "tokyo 1K8275SGJ00KBB.0", true);
        assertTrue(m.toJson().endsWith("\"origin\": \"tokyo 1K8275SGJ00KBB.0\", \"delay_warning_sent\": true}"));
        assertEquals(m, ListedMessage.fromJson(m.toJson()));
    }

    @Test
    void aLineThatIsNotAListingSaysWhatIsWrong() {
        assertEquals("not a JSON object: String: 1: Expecting close brace } or a comma, got end of file",
                assertThrows(IllegalArgumentException.class, () -> ListedMessage.fromJson("{\"queue_name\": 1")).getMessage());
        String noId = message("").toJson().replace("\"queue_id\": \"1K820IHON00HPP\", ", "");
        assertEquals("'queue_id' is missing",
                assertThrows(IllegalArgumentException.class, () -> ListedMessage.fromJson(noId)).getMessage());
        String textSize = message("").toJson().replace("\"message_size\": 1234", "\"message_size\": \"big\"");
        assertEquals("'message_size' is not a Number: big",
                assertThrows(IllegalArgumentException.class, () -> ListedMessage.fromJson(textSize)).getMessage());
    }

    private static Map<String, Object> parse(String json) {
        return ConfigFactory.parseString(json, ConfigParseOptions.defaults().setSyntax(ConfigSyntax.JSON)).root().unwrapped();
    }
}
