package org.wormhole.relay.smtpd.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** mynetworks entries as an admin writes them, and which clients they take in. */
class CidrTest {

    @ParameterizedTest(name = "{0} is {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            127.0.0.0/8           | 127.0.0.0/8
            192.0.2.7             | 192.0.2.7/32
            0.0.0.0/0             | 0.0.0.0/0
            ::1                   | ::1/128
            [::1]/128             | ::1/128
            2001:DB8::/32         | 2001:db8::/32
            2001:db8:0:0:1:0:0:0/80 | 2001:db8:0:0:1::/80
            [::ffff:10.0.0.0]/104 | 10.0.0.0/8
            ::ffff:192.0.2.7      | 192.0.2.7/32
            " 10.1.0.0/16 "       | 10.1.0.0/16
            """)
    void parsesWhatAdminsWrite(String text, String block) {
        assertEquals(block, Cidr.parse(text).toString());
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            10.0.0.0/33        | bad CIDR '10.0.0.0/33': prefix length must be 0-32
            2001:db8::/129     | bad CIDR '2001:db8::/129': prefix length must be 0-128
            10.0.0.0/-1        | bad CIDR '10.0.0.0/-1': prefix length must be 0-32
            10.0.0.0/8x        | bad CIDR '10.0.0.0/8x': prefix length must be 0-32
            10.0.0.0/          | bad CIDR '10.0.0.0/': missing prefix length after '/'
            10.0.0.1/8         | bad CIDR '10.0.0.1/8': address has bits set after the /8 prefix; did you mean 10.0.0.0/8?
            2001:db8::1/32     | bad CIDR '2001:db8::1/32': address has bits set after the /32 prefix; did you mean 2001:db8::/32?
            localhost          | bad CIDR 'localhost': 'localhost' is not an IPv4 or IPv6 address
            256.0.0.0/8        | bad CIDR '256.0.0.0/8': '256.0.0.0' is not an IPv4 or IPv6 address
            010.0.0.0/8        | bad CIDR '010.0.0.0/8': '010.0.0.0' is not an IPv4 or IPv6 address
            10.0.0/24          | bad CIDR '10.0.0/24': '10.0.0' is not an IPv4 or IPv6 address
            fe80::1%eth0       | bad CIDR 'fe80::1%eth0': 'fe80::1%eth0' is not an IPv4 or IPv6 address
            2001:db8:::1/64    | bad CIDR '2001:db8:::1/64': '2001:db8:::1' is not an IPv4 or IPv6 address
            ""                 | bad CIDR '': empty
            """)
    void refusesMistakesWithAClearMessage(String text, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Cidr.parse(text));
        assertEquals(message, e.getMessage());
    }

    @ParameterizedTest(name = "{0} contains {1}: {2}")
    @CsvSource(delimiter = '|', textBlock = """
            127.0.0.0/8      | 127.0.0.1          | true
            127.0.0.0/8      | 127.255.255.254    | true
            127.0.0.0/8      | 128.0.0.1          | false
            127.0.0.0/8      | ::ffff:127.0.0.1   | true
            127.0.0.0/8      | ::ffff:128.0.0.1   | false
            127.0.0.0/8      | ::1                | false
            192.0.2.7        | 192.0.2.7          | true
            192.0.2.7        | 192.0.2.8          | false
            10.1.0.0/16      | 10.1.200.3         | true
            10.1.0.0/16      | 10.2.0.3           | false
            0.0.0.0/0        | 203.0.113.9        | true
            0.0.0.0/0        | 2001:db8::1        | false
            ::1/128          | ::1                | true
            ::1/128          | 127.0.0.1          | false
            2001:db8::/32    | 2001:db8:ffff::1   | true
            2001:db8::/32    | 2001:db9::1        | false
            2001:db8:1::/48  | 2001:db8:1:abcd::25 | true
            2001:db8:1::/48  | 2001:db8:2::25     | false
            ::/0             | 2001:db8::1        | true
            ::/0             | 192.0.2.1          | false
            ::ffff:10.0.0.0/104 | 10.9.8.7        | true
            ::ffff:10.0.0.0/104 | ::ffff:10.9.8.7 | true
            """)
    void containsTheAddressesOfItsBlock(String block, String client, boolean contained) {
        assertEquals(contained, Cidr.parse(block).contains(address(client)));
    }

    @Test
    void aBlockMadeDirectlyIsCheckedTheSameWay() throws UnknownHostException {
        Cidr loopback = new Cidr(InetAddress.getByName("127.0.0.0"), 8);
        assertEquals(Cidr.parse("127.0.0.0/8"), loopback);
        assertTrue(loopback.contains(InetAddress.getByName("127.0.0.1")));
        assertFalse(loopback.contains(InetAddress.getByName("::1")));

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Cidr(InetAddress.getByName("10.0.0.0"), 33));
        assertEquals("bad CIDR '10.0.0.0/33': prefix length must be 0-32", e.getMessage());
    }

    /** A client address; {@code ::ffff:a.b.c.d} kept as IPv6, as a dual-stack listener may report it. */
    private static InetAddress address(String literal) {
        try {
            InetAddress a = InetAddress.getByName(literal);
            if (literal.contains(":") && a.getAddress().length == 4) {
                byte[] mapped = new byte[16];
                mapped[10] = (byte) 0xff;
                mapped[11] = (byte) 0xff;
                System.arraycopy(a.getAddress(), 0, mapped, 12, 4);
                return Inet6Address.getByAddress(null, mapped, -1);
            }
            return a;
        } catch (UnknownHostException e) {
            throw new AssertionError(literal + " is not an IP address literal", e);
        }
    }
}
