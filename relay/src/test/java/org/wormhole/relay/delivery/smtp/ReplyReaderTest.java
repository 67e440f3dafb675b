package org.wormhole.relay.delivery.smtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Replies as servers send them, and as they are understood. */
class ReplyReaderTest {

    @Test
    void aMultiLineEhloReplyKeepsEachLineForTheKeywords() throws Exception {
        ReplyReader.Received r = read("250-mx.example.net\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250 8BITMIME\r\n");

        assertEquals("250 mx.example.net PIPELINING SIZE 10240000 8BITMIME", r.reply().toString());
        assertEquals(List.of("mx.example.net", "PIPELINING", "SIZE 10240000", "8BITMIME"), r.lines());
        assertEquals(10240000, EhloExtensions.parse(r.lines()).sizeLimit());
    }

    @Test
    void theEnhancedStatusCodeIsTakenOnceFromAMultiLineReply() throws Exception {
        SmtpReply r = read("550-5.1.1 The email account that you tried to reach does not exist.\r\n"
                + "550 5.1.1 Please try double-checking the recipient's email address.\r\n").reply();

        assertEquals(550, r.code());
        assertEquals("5.1.1", r.enhancedStatus());
        assertEquals("The email account that you tried to reach does not exist. "
                + "Please try double-checking the recipient's email address.", r.text());
    }

    @Test
    void anEnhancedCodeOfAnotherClassIsJustText() throws Exception {
        SmtpReply r = read("250 5.1.1 odd but harmless\r\n").reply();

        assertEquals("", r.enhancedStatus());
        assertEquals("250 5.1.1 odd but harmless", r.toString());
    }

    @Test
    void aBareCodeAndBareLineFeedsAreAccepted() throws Exception {
        assertEquals("354", read("354\n").reply().toString());
        assertEquals("250 2.0.0 Ok", read("250-2.0.0 \n250 2.0.0 Ok\n").reply().toString());
    }

    @Test
    void controlCharactersInTheTextBecomeSpaces() throws Exception {
        assertEquals("550 bad  [31m text", read("550 bad \u001b[31m text\r\n").reply().toString());
        assertEquals("550 a b", read("550 a\rb\r\n").reply().toString());
    }

    @Test
    void aCodeThatChangesWithinAReplyIsAViolation() {
        SmtpProtocolException e = assertThrows(SmtpProtocolException.class, () -> read("250-one\r\n550 two\r\n"));

        assertEquals("reply changes code from 250 to 550 within one reply", e.getMessage());
    }

    @Test
    void aMissingSeparatorIsAViolation() {
        assertThrows(SmtpProtocolException.class, () -> read("250+Ok\r\n"));
        assertThrows(SmtpProtocolException.class, () -> read("600 six hundred\r\n"));
        assertThrows(SmtpProtocolException.class, () -> read("\r\n"));
    }

    @Test
    void theServerClosingInTheMiddleOfAReplyIsAnEof() {
        EOFException e = assertThrows(EOFException.class, () -> read("250-first line\r\n250 half a li"));

        assertEquals("connection closed by server in the middle of a reply", e.getMessage());
    }

    private static ReplyReader.Received read(String wire) throws Exception {
        return new ReplyReader(new ByteArrayInputStream(wire.getBytes(StandardCharsets.UTF_8))).read();
    }
}
