package org.wormhole.harness;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wormhole.relay.smtpd.policy.Cidr;
import org.wormhole.relay.queue.FreeSpace;
import org.wormhole.relay.queue.Spool;
import org.wormhole.relay.smtpd.ClientNames;
import org.wormhole.relay.smtpd.SmtpIngress;
import org.wormhole.relay.smtpd.policy.RelayPolicy;

/**
 * The client in smtpd's log lines is named as Postfix names it: by its verified reverse DNS
 * name, or {@code unknown}, never by what it said in HELO.
 */
class ClientNameLogTest {

    @TempDir
    Path home;

    private TestSite site;
    private SmtpIngress ingress;
    private final CapturedLog log = CapturedLog.of("smtpd");

    @AfterEach
    void stop() {
        log.close();
        if (site != null) {
            site.close();
        }
        if (ingress != null) {
            ingress.close();
        }
    }

    @Test
    void aRelayNamesTheClientByItsReverseDnsNotByItsHelo() throws Exception {
        site = new TestSite(home, "", "").start();
        try (SmtpTranscript c = SmtpTranscript.connect(site.port())) {
            c.expect("220");
            c.sendMail("a@birlinghoven.example", "Subject: x\r\n\r\nx\r\n", "b@elsewhere.example");
        }
        // The system resolver's answer for 127.0.0.1 (from /etc/hosts: normally "localhost").
        String name = InetAddress.getByName("127.0.0.1").getCanonicalHostName();
        String expected = name.equals("127.0.0.1") ? "unknown" : name;
        String line = log.firstText(": client=");
        assertTrue(line.contains(": client=" + expected + "[127.0.0.1], from=<a@birlinghoven.example>"), line);
    }

    @Test
    void aClientWithoutVerifiedNameIsUnknownAndItsHeloIsLoggedWithARejection() throws Exception {
        start(address -> Optional.empty());
        try (SmtpTranscript c = SmtpTranscript.connect(ingress.port())) {
            c.expect("220");
            c.send("EHLO client.example").expect("250");
            c.send("MAIL FROM:<a@birlinghoven.example>").expect("250");
            c.send("RCPT TO:<b@elsewhere.example>").expect("554 5.7.1");
        }
        assertTrue(log.firstText("NOQUEUE: reject: RCPT from unknown[127.0.0.1]: 554 5.7.1 ")
                .endsWith("from=<a@birlinghoven.example> to=<b@elsewhere.example> helo=<client.example>"),
                log.lines().toString());
    }

    @Test
    void aClientWithAVerifiedNameIsLoggedByIt() throws Exception {
        start(address -> Optional.of("host.example"));
        try (SmtpTranscript c = SmtpTranscript.connect(ingress.port())) {
            c.expect("220");
            c.sendMail("a@birlinghoven.example", "Subject: x\r\n\r\nx\r\n", "b@birlinghoven.example");
        }
        assertTrue(log.firstText(": client=").contains(": client=host.example[127.0.0.1], from=<a@birlinghoven.example>"),
                log.lines().toString());
    }

    /** A listener on its own, with the outside world's DNS answering as {@code names}. */
    private void start(ClientNames names) throws Exception {
        Spool spool = Spool.open(home.resolve("spool"));
        ingress = new SmtpIngress(new SmtpIngress.Settings(new InetSocketAddress("127.0.0.1", 0), "relay.test.example",
                1 << 20, 100, Duration.ofSeconds(30), 10, Duration.ZERO,
                org.wormhole.relay.smtpd.ClientLimits.Settings.none(), 0,
                org.wormhole.relay.smtpd.ContentChecks.defaults()),
                new RelayPolicy(List.of(Cidr.parse("192.0.2.0/24")), List.of("birlinghoven.example")), spool,
                new FreeSpace(home.resolve("spool"), 0, 1 << 20), id -> { }, Optional.empty(), Clock.systemUTC(), names);
        ingress.start();
    }
}
