package org.wormhole.proving;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;

/**
 * What an attacker tries on Tokyo's SMTP port. Open-relay tricks, from 127.0.0.2 (outside
 * mynetworks): recipients that try to get mail for another domain accepted as if it were for
 * Tokyo's own. Smuggling, from 127.0.0.1 (a client allowed to relay, as a compromised or careless
 * one is): content with a line ending that some server might take for the end of the data,
 * followed by a second transaction of its own. Each must be refused, and nothing of it may
 * arrive anywhere.
 */
final class Probes {

    static final InetAddress STRANGER = Smtp.address("127.0.0.2");

    /** A recipient an open relay would take for the outside world. */
    record RelayTrick(String name, String sender, String rcpt) {
    }

    static final List<RelayTrick> RELAY_TRICKS = List.of(
            new RelayTrick("relay to an outside domain", "someone@stranger.example", "victim@outside.example"),
            new RelayTrick("relay with our own domain as sender", "user@tokyo.example", "victim@outside.example"),
            new RelayTrick("relay to the other site", "someone@stranger.example", "victim@birlinghoven.example"),
            new RelayTrick("% hack", "someone@stranger.example", "victim%outside.example@tokyo.example"),
            new RelayTrick("bang path", "someone@stranger.example", "outside.example!victim@tokyo.example"),
            new RelayTrick("bare bang path", "someone@stranger.example", "outside.example!victim"),
            new RelayTrick("source route", "someone@stranger.example", "@tokyo.example:victim@outside.example"),
            new RelayTrick("quoted @", "someone@stranger.example", "\"victim@outside.example\"@tokyo.example"),
            new RelayTrick("two @", "someone@stranger.example", "victim@outside.example@tokyo.example"),
            new RelayTrick("trailing dot", "someone@stranger.example", "victim@outside.example."),
            new RelayTrick("upper case", "someone@stranger.example", "victim@OUTSIDE.EXAMPLE"),
            new RelayTrick("address literal", "someone@stranger.example", "victim@[127.0.0.1]"));

    /** A line ending that is not CRLF.CRLF but that some server takes for the end of the data. */
    record Smuggle(String name, String end) {
    }

    static final List<Smuggle> SMUGGLING = List.of(
            new Smuggle("\\n.\\n", "\n.\n"),
            new Smuggle("\\r.\\r", "\r.\r"),
            new Smuggle("\\n.\\r\\n", "\n.\r\n"),
            new Smuggle("\\r\\n.\\n", "\r\n.\n"),
            new Smuggle("\\r.\\r\\n", "\r.\r\n"),
            new Smuggle("\\r\\n\\x00.\\r\\n", "\r\n\u0000.\r\n"));

    private Probes() {
    }

    static void openRelay(Sites s, Tally tally, PrintStream log) throws InterruptedException {
        int k = 0;
        for (RelayTrick trick : RELAY_TRICKS) {
            String id = "probe-relay-" + (++k);
            tally.prefixes.add(id);
            tally.trials++;
            String verdict;
            try (Smtp c = Smtp.connect(STRANGER, s.tokyoSmtp, 10_000)) {
                c.reply();
                c.command("EHLO probe.stranger.example");
                c.command("MAIL FROM:<" + trick.sender() + ">");
                Smtp.Reply rcpt = c.command("RCPT TO:<" + trick.rcpt() + ">");
                if (!rcpt.positive()) {
                    tally.refused++;
                    verdict = "refused: " + rcpt;
                } else {
                    Smtp.Reply data = c.command("DATA");
                    Smtp.Reply end = data.positive()
                            ? c.command("X-Proving-Id: " + id + "\r\nSubject: relay probe\r\n\r\nprobe\r\n.") : data;
                    verdict = "ACCEPTED (RCPT " + rcpt.code() + ", data " + end.code() + ")";
                    if (end.code() == 250) {
                        tally.fail(trick.name() + " <" + trick.rcpt() + "> accepted from a stranger: " + end);
                    } else {
                        tally.refused++;
                        verdict = "refused after RCPT " + rcpt.code() + ": " + end;
                    }
                }
            } catch (IOException e) {
                tally.refused++;
                verdict = "refused (connection closed: " + e.getMessage() + ")";
            }
            log.printf("  open relay: %-36s <%s>: %s%n", trick.name(), trick.rcpt(), verdict);
        }
        afterDrain(s, tally);
    }

    /** The smuggling variants, then the commands with a NUL (issue 8, point 9). */
    static void smuggling(Sites s, Tally tally, PrintStream log) throws InterruptedException {
        int k = 0;
        for (Smuggle v : SMUGGLING) {
            String id = "probe-smuggle-" + (++k);
            tally.prefixes.add(id);
            tally.trials++;
            String verdict;
            try (Smtp c = Smtp.connect(Smtp.LEGIT, s.tokyoSmtp, 10_000)) {
                c.reply();
                c.command("EHLO probe.client.example");
                c.command("MAIL FROM:<sender@tokyo.example>");
                c.command("RCPT TO:<" + Sites.FINAL_RCPT + ">");
                Smtp.Reply data = c.command("DATA");
                if (!data.positive()) {
                    throw new IOException("DATA refused: " + data);
                }
                c.write("X-Proving-Id: " + id + "\r\nSubject: smuggling probe " + v.name() + "\r\n\r\nfirst message"
                        + v.end() + "MAIL FROM:<forged@birlinghoven.example>\r\nRCPT TO:<smuggled@birlinghoven.example>\r\n"
                        + "DATA\r\nX-Proving-Id: " + id + "-smuggled\r\nX-Proving-Smuggled: " + v.name()
                        + "\r\nSubject: smuggled\r\n\r\nsmuggled\r\n.\r\n");
                Smtp.Reply first = c.reply();
                StringBuilder more = new StringBuilder();
                c.timeout(300);
                try {
                    for (int i = 0; i < 5; i++) {
                        more.append(" / ").append(c.reply().code());
                    }
                } catch (RuntimeException | IOException e) {
                    // no more replies: nothing else was taken for a command
                }
                if (first.code() == 250) {
                    tally.acked.add(id);
                    tally.fail("smuggling " + v.name() + " accepted: " + first + more);
                    verdict = "ACCEPTED: " + first + more;
                } else {
                    tally.refused++;
                    verdict = "refused: " + first + more;
                }
            } catch (IOException e) {
                tally.refused++;
                verdict = "refused (" + e.getMessage() + ")";
            }
            log.printf("  smuggling %-16s %s%n", v.name() + ":", verdict);
        }
        for (String command : NUL_COMMANDS) {
            tally.trials++;
            String verdict;
            try (Smtp c = Smtp.connect(Smtp.LEGIT, s.tokyoSmtp, 10_000)) {
                c.reply();
                if (!command.startsWith("EHLO")) {
                    c.command("EHLO probe.client.example");
                }
                Smtp.Reply r = c.command(command);
                if (r.positive()) {
                    tally.fail("a NUL in a command accepted: " + printable(command) + " -> " + printable(r.text()));
                    verdict = "ACCEPTED: " + r;
                } else {
                    tally.refused++;
                    verdict = "refused: " + r;
                }
            } catch (IOException e) {
                tally.refused++;
                verdict = "refused (" + e.getMessage() + ")";
            }
            log.printf("  NUL in a command %-40s %s%n", printable(command) + ":", printable(verdict));
        }
        afterDrain(s, tally);
    }

    /** Commands with a NUL: a server that strips NULs would read something else (501 5.5.2 expected). */
    static final List<String> NUL_COMMANDS = List.of("EHLO probe\u0000.client.example",
            "MAIL FROM:<sender\u0000@tokyo.example>");

    private static String printable(String s) {
        return s.replace("\u0000", "\\x00");
    }

    /** Once the queues are empty: whatever of a probe arrived anywhere was relayed or smuggled. */
    private static void afterDrain(Sites s, Tally tally) {
        Poll.until(Duration.ofSeconds(60), s::queuesEmpty);
        for (Sink sink : List.of(s.hub, s.outside)) {
            for (Sink.Arrival a : sink.all()) {
                boolean ours = tally.prefixes.stream().anyMatch(p -> a.id().startsWith(p));
                if (a.smuggled() || a.recipients().stream().anyMatch(r -> r.startsWith("smuggled@"))) {
                    tally.fail("a smuggled message arrived at " + sink.name() + " (" + a.id() + ")");
                } else if (sink == s.outside) {
                    tally.fail("mail for outside.example arrived at its MX: relayed (" + a.id() + ", " + a.recipients() + ")");
                } else if (ours) {
                    tally.notes.add(a.id() + " arrived at " + sink.name());
                }
            }
        }
    }
}
