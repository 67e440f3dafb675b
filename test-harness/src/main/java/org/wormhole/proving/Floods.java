package org.wormhole.proving;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Floods while mail must keep flowing: a steady trickle of legitimate mail (one message every
 * 100 ms from 127.0.0.1 into Tokyo, for Birlinghoven) goes on through each, and must arrive.
 *
 * <ul>
 * <li>SMTP: one address (127.0.0.3, outside mynetworks) opens many connections to Tokyo's SMTP
 *     port and holds them; a tenth of them get as far as DATA and send one byte every 2 s.</li>
 * <li>Link port: strangers (127.0.0.4) hold connections to Birlinghoven's link port, opening a
 *     new one whenever one is closed, and one more opens and drops connections 100 times a
 *     second; the link is cut as the flood starts, so Tokyo must dial in again through it.</li>
 * </ul>
 */
final class Floods {

    static final InetAddress SMTP_FLOODER = Smtp.address("127.0.0.3");
    static final InetAddress LINK_STRANGER = Smtp.address("127.0.0.4");
    private static final Pattern LINK_UP = Pattern.compile("link to birlinghoven up");

    private Floods() {
    }

    static void smtp(Sites s, Tally tally, Options o, PrintStream log) throws IOException, InterruptedException {
        s.ensureRunning();
        Poll.until(Duration.ofSeconds(60), s::queuesEmpty);
        List<Socket> held = new ArrayList<>();
        List<Socket> slow = new ArrayList<>();
        int greeted = 0;
        int turnedAway = 0;
        long setupDeadline = System.nanoTime() + 10_000_000_000L;
        try {
            for (int i = 0; i < o.smtpFloodConnections() && System.nanoTime() < setupDeadline; i++) {
                Socket c = new Socket();
                try {
                    c.bind(new InetSocketAddress(SMTP_FLOODER, 0));
                    c.connect(new InetSocketAddress(Smtp.LEGIT, s.tokyoSmtp), 2_000);
                    c.setSoTimeout(500);
                    held.add(c);
                    String greeting = line(c.getInputStream());
                    if (greeting.startsWith("220")) {
                        greeted++;
                        if (i % 10 == 0 && startData(c)) {
                            slow.add(c);
                        }
                    } else {
                        turnedAway++;
                    }
                } catch (IOException e) {
                    turnedAway++;
                }
            }
            long start = System.nanoTime();
            String prefix = "flood-smtp-";
            Load trickle = Load.trickle(prefix, s.tokyoSmtp, Sites.FINAL_RCPT, Duration.ofMillis(100));
            long end = start + Duration.ofSeconds(o.floodSeconds()).toNanos();
            long nextByte = start;
            while (System.nanoTime() < end) {
                if (System.nanoTime() >= nextByte) {
                    for (Socket c : slow) {
                        try {
                            c.getOutputStream().write('x');
                        } catch (IOException e) {
                            // the relay closed it: good
                        }
                    }
                    nextByte += 2_000_000_000L;
                }
                LockSupport.parkNanos(50_000_000L);
            }
            trickle.stop();
            trickle.await(Duration.ofSeconds(40));
            for (Socket c : held) {
                c.close(); // the flood ends; what it had half sent is the relay's to throw away
            }
            finish(s, tally, prefix, trickle, log);
            tally.notes.add(String.format("%d connections from one address: %d greeted, %d turned away; %d in DATA at 1 byte/2 s",
                    o.smtpFloodConnections(), greeted, turnedAway, slow.size()));
            log.printf("  SMTP flood: %d connections from 127.0.0.3 (%d greeted, %d turned away, %d trickling DATA);"
                    + " legitimate trickle: %d of %d accepted%n", o.smtpFloodConnections(), greeted, turnedAway,
                    slow.size(), trickle.ackedCount(), trickle.attempts());
        } finally {
            for (Socket c : held) {
                c.close();
            }
        }
    }

    static void link(Sites s, Tally tally, Options o, PrintStream log) throws IOException, InterruptedException {
        s.ensureRunning();
        Poll.until(Duration.ofSeconds(60), s::queuesEmpty);
        AtomicLong strangerConnections = new AtomicLong();
        List<Thread> strangers = new ArrayList<>();
        AtomicLong endAt = new AtomicLong(System.nanoTime() + Duration.ofSeconds(o.floodSeconds()).toNanos() + 500_000_000L);
        for (int i = 0; i < o.linkFloodHolders(); i++) {
            strangers.add(daemon("link-holder-" + i, () -> {
                while (System.nanoTime() < endAt.get()) {
                    try (Socket c = new Socket()) {
                        c.bind(new InetSocketAddress(LINK_STRANGER, 0));
                        c.connect(new InetSocketAddress(Smtp.LEGIT, s.birlLink), 2_000);
                        strangerConnections.incrementAndGet();
                        c.setSoTimeout(200);
                        InputStream in = c.getInputStream();
                        while (System.nanoTime() < endAt.get()) {
                            try {
                                if (in.read() < 0) {
                                    break; // closed by the relay: open the next one
                                }
                            } catch (SocketTimeoutException stillOpen) {
                                // holding it
                            }
                        }
                    } catch (IOException e) {
                        LockSupport.parkNanos(10_000_000L);
                    }
                }
            }));
        }
        strangers.add(daemon("link-hammer", () -> {
            while (System.nanoTime() < endAt.get()) {
                try (Socket c = new Socket()) {
                    c.bind(new InetSocketAddress(LINK_STRANGER, 0));
                    c.connect(new InetSocketAddress(Smtp.LEGIT, s.birlLink), 2_000);
                    c.getOutputStream().write("GET / HTTP/1.0\r\n\r\n".getBytes());
                    strangerConnections.incrementAndGet();
                } catch (IOException e) {
                    // refused: fine
                }
                LockSupport.parkNanos(10_000_000L);
            }
        }));
        long birlLogBefore = s.birl.logSinceStart().lines().count();
        String prefix = "flood-link-";
        Load trickle = Load.trickle(prefix, s.tokyoSmtp, Sites.FINAL_RCPT, Duration.ofMillis(100));
        LockSupport.parkNanos(500_000_000L); // the strangers take their places first
        int upsBefore = count(LINK_UP, s.tokyo.logSinceStart());
        long cut = System.nanoTime();
        s.wan.cut();
        boolean relinked = Poll.until(Duration.ofNanos(Math.max(0, endAt.get() - System.nanoTime())),
                () -> count(LINK_UP, s.tokyo.logSinceStart()) > upsBefore);
        double seconds = Poll.secondsSince(cut);
        endAt.accumulateAndGet(System.nanoTime() + 1_000_000_000L, Math::min); // back: the strangers leave a second later
        for (Thread t : strangers) {
            t.join(10_000);
        }
        if (!relinked) {
            relinked = Poll.until(Duration.ofSeconds(90), () -> count(LINK_UP, s.tokyo.logSinceStart()) > upsBefore);
            seconds = Poll.secondsSince(cut);
            tally.fail(String.format("the link did not come back while strangers held the link port (%d s after the cut);"
                    + " it did %s", o.floodSeconds(), relinked ? String.format("%.1f s after the cut", seconds) : "not at all"));
        }
        if (relinked) {
            tally.recovered.add(seconds);
        }
        trickle.stop();
        trickle.await(Duration.ofSeconds(40));
        finish(s, tally, prefix, trickle, log);
        tally.notes.add(String.format("%d stranger connections to the link port; the link cut as it began;"
                + " birlinghoven logged %d lines meanwhile", strangerConnections.get(),
                s.birl.logSinceStart().lines().count() - birlLogBefore));
        log.printf("  link-port flood: %d stranger connections; the link came back %s; trickle: %d of %d accepted%n",
                strangerConnections.get(), relinked ? String.format("%.1f s after the cut", seconds) : "NOT",
                trickle.ackedCount(), trickle.attempts());
    }

    private static void finish(Sites s, Tally tally, String prefix, Load trickle, PrintStream log) {
        if (!Poll.until(Duration.ofSeconds(90), () -> s.queuesEmpty() && trickle.acked().stream().allMatch(s.hub::arrived))) {
            tally.fail("not drained within 90 s after the flood");
        }
        tally.add(prefix, trickle);
        tally.trials++;
        tally.refused += trickle.refused();
        if (trickle.refused() > 0) {
            tally.fail(trickle.refused() + " of " + trickle.attempts() + " legitimate messages refused during the flood");
        }
    }

    /** EHLO, MAIL, RCPT, DATA on a flood connection; true once the relay waits for content. */
    private static boolean startData(Socket c) {
        try {
            OutputStream out = c.getOutputStream();
            InputStream in = c.getInputStream();
            for (String cmd : new String[] {"EHLO flood.example", "MAIL FROM:<f@flood.example>",
                    "RCPT TO:<bob@tokyo.example>", "DATA"}) {
                out.write((cmd + "\r\n").getBytes());
                String l;
                do {
                    l = line(in);
                } while (l.length() > 3 && l.charAt(3) == '-');
                if (!(l.startsWith("2") || l.startsWith("3"))) {
                    return false;
                }
            }
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        int b;
        while ((b = in.read()) >= 0 && b != '\n') {
            sb.append((char) b);
        }
        return sb.toString();
    }

    private static int count(Pattern p, String text) {
        Matcher m = p.matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    private static Thread daemon(String name, Runnable r) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
        return t;
    }
}
