package org.wormhole.relay.delivery.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** MX resolution against a fake authoritative DNS server on loopback. */
class DnsjavaMxResolverTest {

    private FakeDnsServer dns;
    private MxResolver resolver;

    @BeforeEach
    void start() throws Exception {
        dns = FakeDnsServer.start();
        resolver = new DnsjavaMxResolver(dns.resolver(Duration.ofSeconds(5)));
    }

    @AfterEach
    void stop() throws Exception {
        dns.close();
    }

    @Test
    void exchangersComeInPreferenceOrderWithTheirAddresses() throws Exception {
        dns.mx("example.org", 20, "mx2.example.org").mx("example.org", 10, "mx1.example.org")
                .a("mx1.example.org", "192.0.2.1").aaaa("mx1.example.org", "2001:db8::1").a("mx1.example.org", "192.0.2.11")
                .aaaa("mx2.example.org", "2001:db8::2");

        assertEquals(List.of(
                "10 mx1.example.org [192.0.2.1 192.0.2.11 2001:db8:0:0:0:0:0:1]",
                "20 mx2.example.org [2001:db8:0:0:0:0:0:2]"), resolve("example.org"));
    }

    @Test
    void exchangersOfEqualPreferenceAreTriedInRandomOrder() throws Exception {
        dns.mx("example.org", 10, "a.example.org").mx("example.org", 10, "b.example.org").mx("example.org", 10, "c.example.org")
                .mx("example.org", 5, "primary.example.org").mx("example.org", 50, "backup.example.org");
        for (String host : List.of("a", "b", "c", "primary", "backup")) {
            dns.a(host + ".example.org", "192.0.2.1");
        }

        Set<String> seenSecond = new HashSet<>();
        for (int i = 0; i < 40; i++) {
            List<MailExchanger> mx = resolver.resolve("example.org");
            assertEquals("primary.example.org", mx.get(0).host());
            assertEquals("backup.example.org", mx.get(4).host());
            assertEquals(Set.of("a.example.org", "b.example.org", "c.example.org"),
                    Set.of(mx.get(1).host(), mx.get(2).host(), mx.get(3).host()));
            seenSecond.add(mx.get(1).host());
        }
        assertTrue(seenSecond.size() > 1, "always " + seenSecond);
    }

    @Test
    void aDomainWithoutMxRecordsIsItsOwnMailExchanger() throws Exception {
        dns.a("small.example", "192.0.2.7").aaaa("small.example", "2001:db8::7");

        assertEquals(List.of("0 small.example [192.0.2.7 2001:db8:0:0:0:0:0:7]"), resolve("small.example."));
    }

    @Test
    void aNullMxMeansTheDomainAcceptsNoMail() throws Exception {
        dns.mx("nomail.example", 0, ".").a("nomail.example", "192.0.2.8");

        DnsPermanentFailure e = assertThrows(DnsPermanentFailure.class, () -> resolver.resolve("nomail.example"));

        assertEquals("5.1.10", e.enhancedStatus());
        assertEquals("domain nomail.example does not accept mail (null MX)", e.text());
    }

    @Test
    void aRootMxBesideRealOnesIsIgnored() throws Exception {
        dns.mx("odd.example", 0, ".").mx("odd.example", 10, "mx.odd.example").a("mx.odd.example", "192.0.2.9");

        assertEquals(List.of("10 mx.odd.example [192.0.2.9]"), resolve("odd.example"));
    }

    @Test
    void aDomainThatDoesNotExistBounces() {
        DnsPermanentFailure e = assertThrows(DnsPermanentFailure.class, () -> resolver.resolve("nowhere.example"));

        assertEquals("5.1.2", e.enhancedStatus());
        assertEquals("5.1.2 domain nowhere.example does not exist (NXDOMAIN)", e.getMessage());
    }

    @Test
    void aServfailDefers() throws Exception {
        dns.servfail("broken.example");

        DnsTemporaryFailure e = assertThrows(DnsTemporaryFailure.class, () -> resolver.resolve("broken.example"));

        assertEquals("4.4.3", e.enhancedStatus());
        assertEquals("MX lookup for broken.example failed: SERVFAIL", e.text());
    }

    @Test
    void aServerThatDoesNotAnswerDefers() throws Exception {
        dns.silent("slow.example");
        MxResolver impatient = new DnsjavaMxResolver(dns.resolver(Duration.ofMillis(500)));

        DnsTemporaryFailure e = assertThrows(DnsTemporaryFailure.class, () -> impatient.resolve("slow.example"));

        // dnsjava 3.7.1 reports its own timeout as "network error", not "timed out"
        assertTrue(e.text().startsWith("MX lookup for slow.example failed: "), e.text());
        assertEquals("4.4.3", e.enhancedStatus());
    }

    @Test
    void anExchangerWithoutAddressIsLeftOut() throws Exception {
        dns.mx("example.org", 10, "gone.example.org").mx("example.org", 20, "mx2.example.org").a("mx2.example.org", "192.0.2.2");

        assertEquals(List.of("20 mx2.example.org [192.0.2.2]"), resolve("example.org"));
    }

    @Test
    void whenNoExchangerHasAnAddressTheMailBounces() throws Exception {
        dns.mx("example.org", 10, "gone.example.org").mx("example.org", 20, "empty.example.org").txt("empty.example.org", "no address");

        DnsPermanentFailure e = assertThrows(DnsPermanentFailure.class, () -> resolver.resolve("example.org"));

        assertEquals("5.4.4", e.enhancedStatus());
        assertEquals("no MX host of example.org has an address", e.text());
    }

    @Test
    void whenTheOnlyExchangersLookupFailsTheMailIsDeferred() throws Exception {
        dns.mx("example.org", 10, "flaky.example.org").mx("example.org", 20, "gone.example.org").servfail("flaky.example.org");

        DnsTemporaryFailure e = assertThrows(DnsTemporaryFailure.class, () -> resolver.resolve("example.org"));

        assertEquals("no address for the MX hosts of example.org: flaky.example.org: AAAA lookup failed: SERVFAIL", e.text());
    }

    @Test
    void aDomainWithNeitherMxNorAddressBounces() throws Exception {
        dns.txt("textonly.example", "v=spf1 -all");

        DnsPermanentFailure e = assertThrows(DnsPermanentFailure.class, () -> resolver.resolve("textonly.example"));

        assertEquals("5.4.4", e.enhancedStatus());
    }

    @Test
    void anInternationalizedDomainIsAskedForInPunycode() throws Exception {
        dns.mx("xn--bcher-kva.example", 10, "mx.xn--bcher-kva.example").a("mx.xn--bcher-kva.example", "192.0.2.3");

        assertEquals(List.of("10 mx.xn--bcher-kva.example [192.0.2.3]"), resolve("bücher.example"));
        assertEquals("xn--bcher-kva.example./MX", dns.queries().get(0));
    }

    @Test
    void addressesComeFromDnsNotFromEtcHosts() throws Exception {
        dns.mx("example.org", 10, "localhost");

        DnsPermanentFailure e = assertThrows(DnsPermanentFailure.class, () -> resolver.resolve("example.org"));

        assertEquals("5.4.4", e.enhancedStatus());
        assertEquals(List.of("example.org./MX", "localhost./A", "localhost./AAAA"), dns.queries());
    }

    @Test
    void aMalformedDomainBounces() {
        DnsPermanentFailure e = assertThrows(DnsPermanentFailure.class, () -> resolver.resolve("a..b"));

        assertEquals("5.1.2", e.enhancedStatus());
    }

    private List<String> resolve(String domain) throws Exception {
        return resolver.resolve(domain).stream().map(MailExchanger::toString).toList();
    }
}
