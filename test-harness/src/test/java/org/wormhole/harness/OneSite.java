package org.wormhole.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.wormhole.relay.queue.QueueState;

/**
 * One Birlinghoven site for a test, as a JUnit extension: before each test a fresh home directory
 * and the site's internal mail hub (a {@link FakeMx}); the test starts the relay with its own
 * configuration ({@link #start}), whose mailertable routes {@code birlinghoven.example} to the hub;
 * after each test, the relay, the hub and the outside MX if any are closed and the home is gone.
 * In a test class:
 *
 * <pre>
 * &#64;RegisterExtension
 * final OneSite one = new OneSite();
 * </pre>
 */
final class OneSite implements BeforeEachCallback, AfterEachCallback {

    /** The site's home directory: config/, spool/, and whatever else the test puts there. */
    Path home;
    /** The site's internal mail hub, where mail for birlinghoven.example (and its bounces) arrives. */
    FakeMx hub;
    /** The relay, once {@link #start}ed. */
    TestSite site;
    private FakeMx outside;

    @Override
    public void beforeEach(ExtensionContext context) throws IOException {
        home = Files.createTempDirectory("one-site");
        hub = new FakeMx();
    }

    /** Starts the relay: {@code extraConfig} goes into its configuration. */
    TestSite start(String extraConfig) throws Exception {
        return start("", extraConfig);
    }

    /** Starts the relay with {@code moreTable}'s lines in its mailertable after the hub's. */
    TestSite start(String moreTable, String extraConfig) throws Exception {
        site = new TestSite(home, hubRoute() + moreTable, extraConfig);
        return site.start();
    }

    /** The mailertable line that routes birlinghoven.example to the hub. */
    String hubRoute() {
        return "birlinghoven.example\tesmtp:[127.0.0.1]:" + hub.port() + "\n";
    }

    /** A client connected to the relay's SMTP port that has had the relay's greeting. */
    SmtpTranscript client() throws IOException {
        SmtpTranscript c = SmtpTranscript.connect(site.port());
        c.expect("220 relay.test.example ESMTP");
        return c;
    }

    /** How many messages are in the spool, in any state. */
    int queued() throws IOException {
        int n = 0;
        for (QueueState s : QueueState.values()) {
            n += site.relay.spool().list(s).size();
        }
        return n;
    }

    /** The MX of outside.example in the site's fake DNS, started on first use (after {@link #start}). */
    FakeMx outside() {
        if (outside == null) {
            outside = new FakeMx();
            site.dns.put("outside.example", outside.address());
        }
        return outside;
    }

    /** Stops the hub and starts a new one on the same port, as a restarted server. */
    FakeMx restartHub() {
        int port = hub.port();
        hub.close();
        hub = new FakeMx(port);
        return hub;
    }

    @Override
    public void afterEach(ExtensionContext context) throws IOException {
        try {
            if (site != null) {
                site.close();
            }
        } finally {
            hub.close();
            if (outside != null) {
                outside.close();
            }
            deleteHome();
        }
    }

    private void deleteHome() throws IOException {
        try (Stream<Path> files = Files.walk(home)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
