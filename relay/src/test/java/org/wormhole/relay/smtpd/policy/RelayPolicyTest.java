package org.wormhole.relay.smtpd.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * RCPT TO as clients inside and outside the site send it, and the reply each gets. Rows read
 * {@code client | RCPT TO:<recipient> | reply}; "accept" is a recipient the policy lets through.
 */
class RelayPolicyTest {

    /** The Tokyo relay: its own hosts, and the domains anyone may send to through it. */
    private static final RelayPolicy TOKYO = new RelayPolicy(
            List.of(Cidr.parse("127.0.0.0/8"), Cidr.parse("[::1]/128"), Cidr.parse("10.1.0.0/16"),
                    Cidr.parse("2001:db8:1::/48")),
            List.of("birlinghoven.example", ".tokyo.example"));

    // CHECKSTYLE:OFF: a table, one probe a line
    private static final String TRANSCRIPT = """
            # Loopback and the site's own hosts may relay anywhere, over IPv4, IPv6 and IPv4-mapped IPv6.
            127.0.0.1         | RCPT TO:<bob@example.net>                        | accept
            10.1.2.3          | RCPT TO:<bob@example.net>                        | accept
            ::1               | RCPT TO:<bob@example.net>                        | accept
            2001:db8:1::25    | RCPT TO:<bob@example.net>                        | accept
            ::ffff:127.0.0.1  | RCPT TO:<bob@example.net>                        | accept
            ::ffff:10.1.2.3   | RCPT TO:<bob@example.net>                        | accept

            # Anyone else only to relay_domains: birlinghoven.example itself, subdomains of tokyo.example.
            192.0.2.10        | RCPT TO:<bob@example.net>                        | 554 5.7.1 <bob@example.net>: Relay access denied
            192.0.2.10        | RCPT TO:<hans@birlinghoven.example>              | accept
            192.0.2.10        | RCPT TO:<hans@BIRLINGHOVEN.Example.>             | accept
            192.0.2.10        | RCPT TO:<hans@sales.birlinghoven.example>        | 554 5.7.1 <hans@sales.birlinghoven.example>: Relay access denied
            192.0.2.10        | RCPT TO:<taro@mail.tokyo.example>                | accept
            192.0.2.10        | RCPT TO:<taro@a.b.Tokyo.Example>                 | accept
            192.0.2.10        | RCPT TO:<taro@tokyo.example>                     | 554 5.7.1 <taro@tokyo.example>: Relay access denied
            192.0.2.10        | RCPT TO:<taro@nottokyo.example>                  | 554 5.7.1 <taro@nottokyo.example>: Relay access denied
            192.0.2.10        | RCPT TO:<taro@tokyo.example.evil.example>        | 554 5.7.1 <taro@tokyo.example.evil.example>: Relay access denied
            192.0.2.10        | RCPT TO:<jörg@birlinghoven.example>              | accept
            10.2.0.1          | RCPT TO:<bob@example.net>                        | 554 5.7.1 <bob@example.net>: Relay access denied
            2001:db8:2::1     | RCPT TO:<bob@example.net>                        | 554 5.7.1 <bob@example.net>: Relay access denied
            2001:db8:2::1     | RCPT TO:<hans@birlinghoven.example>              | accept
            ::ffff:192.0.2.10 | RCPT TO:<bob@example.net>                        | 554 5.7.1 <bob@example.net>: Relay access denied
            ::127.0.0.1       | RCPT TO:<bob@example.net>                        | 554 5.7.1 <bob@example.net>: Relay access denied

            # Open-relay tricks: relay access denied from outside, refused with the reason from inside.
            192.0.2.10        | RCPT TO:<bob%example.net@birlinghoven.example>   | 554 5.7.1 <bob%example.net@birlinghoven.example>: Relay access denied
            127.0.0.1         | RCPT TO:<bob%example.net@birlinghoven.example>   | 553 5.1.3 <bob%example.net@birlinghoven.example>: percent hack not supported
            192.0.2.10        | RCPT TO:<"bob%example.net"@birlinghoven.example> | 554 5.7.1 <"bob%example.net"@birlinghoven.example>: Relay access denied
            192.0.2.10        | RCPT TO:<example.net!bob>                        | 554 5.7.1 <example.net!bob>: Relay access denied
            127.0.0.1         | RCPT TO:<example.net!bob>                        | 553 5.1.3 <example.net!bob>: bang path not supported
            192.0.2.10        | RCPT TO:<bob!x@birlinghoven.example>             | 554 5.7.1 <bob!x@birlinghoven.example>: Relay access denied
            10.1.2.3          | RCPT TO:<bob!x@birlinghoven.example>             | 553 5.1.3 <bob!x@birlinghoven.example>: bang path not supported
            192.0.2.10        | RCPT TO:<@a.example,@b.example:bob@birlinghoven.example> | 554 5.7.1 <@a.example,@b.example:bob@birlinghoven.example>: Relay access denied
            ::1               | RCPT TO:<@a.example,@b.example:bob@birlinghoven.example> | 553 5.1.3 <@a.example,@b.example:bob@birlinghoven.example>: source route not supported
            2001:db8:2::1     | RCPT TO:<@relay.example:bob@birlinghoven.example> | 554 5.7.1 <@relay.example:bob@birlinghoven.example>: Relay access denied
            2001:db8:1::25    | RCPT TO:<@relay.example:bob@birlinghoven.example> | 553 5.1.3 <@relay.example:bob@birlinghoven.example>: source route not supported

            # Syntax is checked first, for every client.
            192.0.2.10        | RCPT TO:<"bob@example.net"@birlinghoven.example> | 553 5.1.3 <"bob@example.net"@birlinghoven.example>: quoted local part contains '@'
            127.0.0.1         | RCPT TO:<"bob@example.net"@birlinghoven.example> | 553 5.1.3 <"bob@example.net"@birlinghoven.example>: quoted local part contains '@'
            127.0.0.1         | RCPT TO:<"bob smith"@example.net>                | accept
            127.0.0.1         | RCPT TO:<bob smith@example.net>                  | 553 5.1.3 <bob smith@example.net>: character ' ' not allowed in an unquoted local part
            127.0.0.1         | RCPT TO:<"bob@example.net>                       | 553 5.1.3 <"bob@example.net>: unterminated quoted local part
            127.0.0.1         | RCPT TO:<bob@>                                   | 553 5.1.3 <bob@>: empty domain
            192.0.2.10        | RCPT TO:<bob@.>                                  | 553 5.1.3 <bob@.>: empty domain
            127.0.0.1         | RCPT TO:<bob@example..net>                       | 553 5.1.3 <bob@example..net>: domain example..net has an empty label
            192.0.2.10        | RCPT TO:<bob@.birlinghoven.example>              | 553 5.1.3 <bob@.birlinghoven.example>: domain .birlinghoven.example has an empty label
            127.0.0.1         | RCPT TO:<bob@exam ple.net>                       | 553 5.1.3 <bob@exam ple.net>: character ' ' not allowed in a domain
            127.0.0.1         | RCPT TO:<bob@example.net@other.example>          | 553 5.1.3 <bob@example.net@other.example>: more than one '@'
            127.0.0.1         | RCPT TO:<@birlinghoven.example>                  | 553 5.1.3 <@birlinghoven.example>: missing local part
            127.0.0.1         | RCPT TO:<>                                       | 553 5.1.3 <>: empty address
            127.0.0.1         | RCPT TO:<bob>                                    | 553 5.1.3 <bob>: no domain (only postmaster may be written without one)
            192.0.2.10        | RCPT TO:<postmaster>                             | accept
            2001:db8:2::1     | RCPT TO:<PostMaster>                             | accept

            # Address literals are well-formed, but only the site's own hosts may send to them.
            127.0.0.1         | RCPT TO:<bob@[192.0.2.1]>                        | accept
            192.0.2.10        | RCPT TO:<bob@[192.0.2.1]>                        | 554 5.7.1 <bob@[192.0.2.1]>: Relay access denied
            10.1.2.3          | RCPT TO:<bob@[IPv6:2001:db8::1]>                 | accept
            2001:db8:2::1     | RCPT TO:<bob@[IPv6:2001:db8::1]>                 | 554 5.7.1 <bob@[IPv6:2001:db8::1]>: Relay access denied
            127.0.0.1         | RCPT TO:<bob@[192.0.2.256]>                      | 553 5.1.3 <bob@[192.0.2.256]>: address literal [192.0.2.256] is not [IPv4] or [IPv6:address]
            127.0.0.1         | RCPT TO:<bob@[birlinghoven.example]>             | 553 5.1.3 <bob@[birlinghoven.example]>: address literal [birlinghoven.example] is not [IPv4] or [IPv6:address]
            127.0.0.1         | RCPT TO:<bob@[192.0.2.1>                         | 553 5.1.3 <bob@[192.0.2.1>: unterminated address literal
            """;
    // CHECKSTYLE:ON

    @TestFactory
    Stream<DynamicTest> eachClientGetsTheReplyOfTheTranscript() {
        return TRANSCRIPT.lines()
                .filter(line -> !line.isBlank() && !line.startsWith("#"))
                .map(line -> {
                    String[] cols = line.split("\\s+\\|\\s+", 3);
                    String client = cols[0].strip();
                    String rcpt = cols[1].strip();
                    String expected = cols[2].strip();
                    String recipient = rcpt.substring("RCPT TO:<".length(), rcpt.length() - 1);
                    return DynamicTest.dynamicTest(client + " " + rcpt + " -> " + expected,
                            () -> assertEquals(expected, reply(TOKYO.check(client(client), recipient))));
                });
    }

    @Test
    void addressesAreLimitedTo64OctetsOfLocalPartAnd254InAll() {
        String local64 = "l".repeat(64);
        String domain189 = "d".repeat(60) + "." + "d".repeat(60) + "." + "d".repeat(53) + ".tokyo.example";
        InetAddress outside = client("192.0.2.10");

        assertEquals("accept", reply(TOKYO.check(outside, local64 + "@" + domain189)));
        assertEquals(254, (local64 + "@" + domain189).length());
        assertEquals("553 5.1.3 <" + local64 + "l@mail.tokyo.example>: local part longer than 64 octets",
                reply(TOKYO.check(outside, local64 + "l@mail.tokyo.example")));
        assertEquals("553 5.1.3 <" + local64 + "@d" + domain189 + ">: address longer than 254 octets",
                reply(TOKYO.check(outside, local64 + "@d" + domain189)));
        String umlauts = "ö".repeat(33);
        assertEquals("553 5.1.3 <" + umlauts + "@mail.tokyo.example>: local part longer than 64 octets",
                reply(TOKYO.check(outside, umlauts + "@mail.tokyo.example")));
    }

    @Test
    void aRecipientStillInAngleBracketsIsCheckedTheSame() {
        assertEquals("accept", reply(TOKYO.check(client("192.0.2.10"), "<hans@birlinghoven.example>")));
        assertEquals("554 5.7.1 <bob@example.net>: Relay access denied",
                reply(TOKYO.check(client("192.0.2.10"), "<bob@example.net>")));
    }

    @Test
    void controlCharactersAreRefusedAndNeverEchoed() {
        assertEquals("553 5.1.3 <bob@example.net?554 fake>: control character in address",
                reply(TOKYO.check(client("127.0.0.1"), "bob@example.net\r554 fake")));
    }

    @Test
    void badRelayDomainsAreRefusedWhenThePolicyIsMade() {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new RelayPolicy(List.of(), List.of("birlinghoven.example", "[192.0.2.1]")));
        assertEquals("bad relay domain '[192.0.2.1]': character '[' not allowed in a domain", e.getMessage());
    }

    private static String reply(RcptVerdict verdict) {
        return verdict instanceof RcptVerdict.Reject reject ? reject.toString() : "accept";
    }

    /**
     * The client address as a listener reports it; {@code ::ffff:a.b.c.d} stays an IPv6 address,
     * as a dual-stack listener may give it (the JDK's parser would turn it into IPv4).
     */
    private static InetAddress client(String literal) {
        try {
            InetAddress a = InetAddress.getByName(literal);
            if (literal.contains(":") && a instanceof Inet4Address) {
                byte[] mapped = new byte[16];
                mapped[10] = (byte) 0xff;
                mapped[11] = (byte) 0xff;
                System.arraycopy(a.getAddress(), 0, mapped, 12, 4);
                a = Inet6Address.getByAddress(null, mapped, -1);
            }
            return a;
        } catch (UnknownHostException e) {
            throw new AssertionError(literal + " is not an IP address literal", e);
        }
    }
}
