package org.wormhole.proving;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The load generator: numbered messages, each on a new SMTP connection (as Postfix's smtp-source
 * sends), from {@code sessions} threads at once. A message counts as acknowledged only when the
 * relay answered 250 to its content. An attempt that fails (refused, or the relay is down) is not
 * retried under the same number: a retry of a message whose 250 was lost would be a duplicate the
 * client made, not the relay. Every attempt has a new number, so "lost" and "duplicated" at the
 * sink are the relays' doing.
 */
final class Load {

    /** One numbered message: its id (also its {@code X-Proving-Id}), its bytes and its body's SHA-256. */
    record Message(String id, byte[] content, String bodySha256, long bodyLength) {
    }

    private final String prefix;
    private final int port;
    private final InetAddress from;
    private final String rcpt;
    private final int size;
    private final Set<String> acked = ConcurrentHashMap.newKeySet();
    private final AtomicInteger next = new AtomicInteger();
    private final AtomicInteger refused = new AtomicInteger();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean stopped;

    private Load(String prefix, int port, InetAddress from, String rcpt, int size) {
        this.prefix = prefix;
        this.port = port;
        this.from = from;
        this.rcpt = rcpt;
        this.size = size;
    }

    /**
     * Starts a burst: {@code sessions} threads send until {@code n} messages are acknowledged, at most
     * {@code 50 n} attempts or until {@code max} has passed.
     */
    static Load burst(String prefix, int port, String rcpt, int n, int sessions, int size, Duration max) {
        return burst(prefix, port, rcpt, n, sessions, size, max, 0);
    }

    /**
     * A burst as {@link #burst(String, int, String, int, int, int, Duration)}, its attempts paced at
     * {@code rate} a second in all (0: unpaced): attempt k starts no earlier than k / rate seconds
     * after the first, so two relays given the same rate get the same load whatever their speed.
     */
    static Load burst(String prefix, int port, String rcpt, int n, int sessions, int size, Duration max, int rate) {
        Load load = new Load(prefix, port, Smtp.LEGIT, rcpt, size);
        long start = System.nanoTime();
        long deadline = start + max.toNanos();
        AtomicLong tickets = new AtomicLong();
        for (int t = 0; t < sessions; t++) {
            load.startThread(() -> {
                while (!load.stopped && load.acked.size() < n && load.next.get() < 50 * n && System.nanoTime() < deadline) {
                    if (rate > 0) {
                        long due = start + tickets.getAndIncrement() * 1_000_000_000L / rate;
                        for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
                            LockSupport.parkNanos(wait); // the pacing itself: this client's next message is not due yet
                        }
                    }
                    if (!load.attempt()) {
                        LockSupport.parkNanos(200_000_000L); // a client's pause before its next try
                    }
                }
            });
        }
        return load;
    }

    /** Starts a trickle: one message every {@code interval} until {@link #stop}. */
    static Load trickle(String prefix, int port, String rcpt, Duration interval) {
        Load load = new Load(prefix, port, Smtp.LEGIT, rcpt, 1000);
        load.startThread(() -> {
            long due = System.nanoTime();
            while (!load.stopped) {
                load.attempt();
                due += interval.toNanos();
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
            }
        });
        return load;
    }

    private void startThread(Runnable r) {
        Thread t = new Thread(r, "load-" + prefix + "-" + threads.size());
        t.setDaemon(true);
        threads.add(t);
        t.start();
    }

    /** One message, one connection; true when it was acknowledged. */
    private boolean attempt() {
        Message m = message(prefix + next.getAndIncrement(), rcpt, size);
        try {
            Smtp.Reply r = Smtp.send(from, port, "load@tokyo.example", rcpt, m.content());
            if (r.code() == 250) {
                acked.add(m.id());
                return true;
            }
        } catch (IOException e) {
            // the relay is down or went down mid-transaction: not acknowledged
        }
        refused.incrementAndGet();
        return false;
    }

    static Message message(String id, String rcpt, int size) {
        String header = "Message-ID: <" + id + "@load.proving.example>\r\nX-Proving-Id: " + id
                + "\r\nFrom: <load@tokyo.example>\r\nTo: <" + rcpt + ">\r\nSubject: proving ground " + id + "\r\n\r\n";
        StringBuilder body = new StringBuilder(Math.max(size, 64) + 80);
        body.append("message ").append(id).append("\r\n");
        while (body.length() < size) {
            body.append("abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-=+_\r\n");
        }
        byte[] b = body.toString().getBytes(StandardCharsets.US_ASCII);
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        byte[] h = header.getBytes(StandardCharsets.US_ASCII);
        byte[] all = new byte[h.length + b.length];
        System.arraycopy(h, 0, all, 0, h.length);
        System.arraycopy(b, 0, all, h.length, b.length);
        return new Message(id, all, HexFormat.of().formatHex(sha.digest(b)), b.length);
    }

    int ackedCount() {
        return acked.size();
    }

    /** The acknowledged ids so far. */
    Set<String> acked() {
        return Set.copyOf(acked);
    }

    int attempts() {
        return next.get();
    }

    int refused() {
        return refused.get();
    }

    void stop() {
        stopped = true;
    }

    /** Waits for the threads to end (the burst done, or stopped); false if {@code max} passed first. */
    boolean await(Duration max) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        for (Thread t : threads) {
            long left = deadline - System.nanoTime();
            if (left > 0) {
                t.join(Math.max(1, left / 1_000_000));
            }
        }
        boolean done = threads.stream().noneMatch(Thread::isAlive);
        if (!done) {
            stop();
            for (Thread t : threads) {
                t.join(35_000);
            }
        }
        return done;
    }
}
