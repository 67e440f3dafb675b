package org.wormhole.harness;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wormhole.link.SiteIdentity;
import org.wormhole.testing.Await;

/**
 * A company moves one site at a time: London runs Wormhole, Paris still runs its classic MTA
 * (here a SubEthaSMTP server), either behind a TLS terminator as stunnel does it (implicit TLS,
 * {@code protocol = smtps}) or with STARTTLS of its own ({@code protocol = starttls}). London's
 * {@code tsmtp:paris} route speaks SMTP over TLS to it, pinned like the link, with London's site
 * certificate as client certificate; without the pinned key or without TLS nothing is sent.
 */
class ClassicPeerTest {

    @TempDir
    Path dir;

    private SiteIdentity londonKey;
    private SiteIdentity parisKey;
    private FakeMx parisMta;
    private TlsTerminator stunnel;
    private TestSite london;

    @BeforeEach
    void keys() throws Exception {
        londonKey = SiteIdentity.generate(dir.resolve("london/keys"), "london", Duration.ofDays(30));
        parisKey = SiteIdentity.generate(dir.resolve("paris/keys"), "paris", Duration.ofDays(30));
    }

    @AfterEach
    void stop() throws Exception {
        if (london != null) {
            london.close();
        }
        if (stunnel != null) {
            stunnel.close();
        }
        if (parisMta != null) {
            parisMta.close();
        }
    }

    /** London, whose mailertable sends paris.example to the peer paris. */
    private TestSite london(String protocol, int port, SiteIdentity pinned) throws Exception {
        london = new TestSite(dir.resolve("london"), "paris.example\ttsmtp:paris\n",
                "myhostname = relay.london.example\n"
                        + "link_key_directory = \"" + dir.resolve("london/keys") + "\"\n"
                        + "peers { paris { protocol = " + protocol + ", address = \"127.0.0.1\", port = " + port
                        + ", pins = [\"" + pinned.pin() + "\"] } }\n");
        return london.start();
    }

    private static String send(TestSite site, String body) throws Exception {
        try (SmtpTranscript c = SmtpTranscript.connect(site.port())) {
            c.expect("220");
            return c.sendMail("alice@london.example", body, "jean@paris.example");
        }
    }

    @Test
    void smtpsThroughTheSitesTlsTerminatorArrivesByteForByteAndReusesTheConnection() throws Exception {
        parisMta = new FakeMx();
        stunnel = new TlsTerminator(parisKey, List.of(londonKey.certificate()), parisMta.address());
        london("smtps", stunnel.port(), parisKey);

        String reply = send(london, RelayEndToEndTest.trickyMessage());
        assertTrue(reply.startsWith("250 2.0.0 Ok: queued as "), reply);

        Await.until("Paris's MTA to receive it", () -> parisMta.received.size() == 1);
        FakeMx.Received got = parisMta.received.get(0);
        assertEquals("alice@london.example", got.from());
        assertEquals(List.of("jean@paris.example"), got.recipients());
        String text = got.text();
        assertTrue(text.startsWith("Received: from client.example (unknown [127.0.0.1])\r\n"
                + "\tby relay.london.example (Wormhole) with ESMTP id "), text);
        int end = text.indexOf("\r\n", text.indexOf("\tfor <")) + 2;
        byte[] expected = RelayEndToEndTest.trickyMessage().replace("\r\n..", "\r\n.").getBytes(StandardCharsets.UTF_8);
        assertArrayEquals(expected, Arrays.copyOfRange(got.content(), end, got.content().length),
                "the content after London's Received header is exactly what Alice sent");
        assertEquals(List.of(londonKey.pin()), stunnel.clients, "London showed its site certificate to the terminator");
        Await.until("London's queue to be empty", () -> RelayEndToEndTest.queueIsEmpty(london));

        send(london, "Subject: second\r\n\r\nagain\r\n");
        Await.until("the second message", () -> parisMta.received.size() == 2);
        assertEquals(1, stunnel.backendConnections.get(), "the idle pinned connection was used again");
    }

    @Test
    void starttlsToAClassicMtaThatRequiresLondonsCertificate() throws Exception {
        parisMta = new FakeMx(TlsTerminator.context(parisKey, List.of(londonKey.certificate()), new java.util.ArrayList<>()));
        london("starttls", parisMta.port(), parisKey);

        send(london, "Subject: bonjour\r\n\r\nbonjour\r\n");

        // Paris's MTA requires a client certificate it knows: London's site certificate.
        Await.until("Paris's MTA to receive it", () -> parisMta.received.size() == 1);
        assertTrue(parisMta.received.get(0).text().endsWith("Subject: bonjour\r\n\r\nbonjour\r\n"));
        Await.until("London's queue to be empty", () -> RelayEndToEndTest.queueIsEmpty(london));
    }

    @Test
    void aTerminatorWithAKeyThatIsNotPinnedGetsNothingAndTheMailWaitsSayingWhy() throws Exception {
        SiteIdentity impostor = SiteIdentity.generate(dir.resolve("impostor"), "paris", Duration.ofDays(30));
        parisMta = new FakeMx();
        stunnel = new TlsTerminator(impostor, List.of(londonKey.certificate()), parisMta.address());
        london("smtps", stunnel.port(), parisKey);

        send(london, "Subject: secret\r\n\r\nfor Paris only\r\n");

        Await.until("the message to wait with the pin mismatch as its reason", () -> RelayEndToEndTest
                .deferredErrors(london).stream().anyMatch(e -> e.contains("peer key " + impostor.pin() + " is not pinned")));
        String reason = RelayEndToEndTest.deferredErrors(london).get(0);
        assertTrue(reason.startsWith("TLS handshake with 127.0.0.1[127.0.0.1]:" + stunnel.port() + " failed: "), reason);
        assertTrue(stunnel.failedHandshakes.get() >= 1);
        assertEquals(0, stunnel.backendConnections.get(), "the terminator never reached the MTA behind it");
        assertEquals(0, parisMta.dataCommands.get());

        // The operator sees the classic peer, with no link, and the mail waiting for it.
        QueueCliTest.Run status = QueueCliTest.wormhole("link", "status", "--config", london.configFile().toString());
        assertEquals(0, status.exit(), status.err());
        assertTrue(status.out().lines().anyMatch(l -> l.matches("paris +classic +\\S+ \\S+ +- +0 msgs, 0 B +0 msgs, 0 B +1 +0 +-")),
                status.out());
        assertTrue(status.out().contains("    address 127.0.0.1:" + stunnel.port() + " (a classic MTA: SMTP over TLS"),
                status.out());
    }

    /**
     * Paris's stunnel trusts another client certificate than London's (London's new key was never
     * put in its CAfile): it refuses London's key in the handshake. London's mail waits saying so,
     * with the pin to add, and London's 'link status' shows the refusal.
     */
    @Test
    void aTerminatorThatRefusesLondonsCertificateIsDiagnosed() throws Exception {
        SiteIdentity oldLondon = SiteIdentity.generate(dir.resolve("old-london"), "london", Duration.ofDays(30));
        parisMta = new FakeMx();
        stunnel = new TlsTerminator(parisKey, List.of(oldLondon.certificate()), parisMta.address());
        london("smtps", stunnel.port(), parisKey);

        send(london, "Subject: bonjour\r\n\r\nbonjour\r\n");

        String expected = "the peer refused our key " + londonKey.pin() + ": is it in their pins? (smtps peer paris at 127.0.0.1:"
                + stunnel.port() + " answered this site's client certificate with the TLS alert ";
        Await.until("the message to wait with the refusal as its reason", () -> RelayEndToEndTest
                .deferredErrors(london).stream().anyMatch(e -> e.startsWith(expected)));
        assertEquals(0, parisMta.dataCommands.get());

        QueueCliTest.Run status = QueueCliTest.wormhole("link", "status", "--config", london.configFile().toString());
        assertEquals(0, status.exit(), status.err());
        assertTrue(status.out().contains("    refused the peer refused this site's key " + londonKey.pin()
                + ": is it in their pins? ("), status.out());
    }

    @Test
    void aStarttlsPeerThatDoesNotOfferTlsNeverGetsTheMailInPlaintext() throws Exception {
        parisMta = new FakeMx(); // STARTTLS not offered
        london("starttls", parisMta.port(), parisKey);

        send(london, "Subject: secret\r\n\r\nnot in plaintext\r\n");

        Await.until("the message to wait because TLS was not offered", () -> RelayEndToEndTest.deferredErrors(london)
                .stream().anyMatch(e -> e.equals("TLS is required, but was not offered by host 127.0.0.1[127.0.0.1]:"
                        + parisMta.port())));
        assertEquals(0, parisMta.dataCommands.get(), "no DATA was ever sent");
        assertTrue(parisMta.received.isEmpty());
    }

    @Test
    void aTerminatorThatDoesNotKnowLondonsCertificateRefusesItAndTheMailWaits() throws Exception {
        SiteIdentity someoneElse = SiteIdentity.generate(dir.resolve("someone-else"), "berlin", Duration.ofDays(30));
        parisMta = new FakeMx();
        stunnel = new TlsTerminator(parisKey, List.of(someoneElse.certificate()), parisMta.address());
        london("smtps", stunnel.port(), parisKey);

        send(london, "Subject: secret\r\n\r\nfor Paris only\r\n");

        Await.until("the message to wait because Paris refused London's certificate", () -> RelayEndToEndTest
                .deferredErrors(london).stream().anyMatch(e -> e.contains("the server ended the session after the handshake")));
        assertEquals(List.of(londonKey.pin()), stunnel.refusedClients.stream().distinct().toList(),
                "London showed its certificate although the terminator asked for another issuer");
        assertEquals(0, stunnel.backendConnections.get());
        assertEquals(0, parisMta.dataCommands.get());
    }
}
