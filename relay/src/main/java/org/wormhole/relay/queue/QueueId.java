package org.wormhole.relay.queue;

import java.security.SecureRandom;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * A queue id: 14 characters of {@code [0-9A-V]}, base-32 milliseconds, then a sequence number
 * and a random part, so ids sort by arrival and never repeat in one spool (the writer also
 * refuses to overwrite an existing file).
 */
public record QueueId(String value) implements Comparable<QueueId> {

    private static final Pattern SYNTAX = Pattern.compile("[0-9A-V]{14}");
    private static final AtomicInteger SEQUENCE = new AtomicInteger();
    private static final SecureRandom RANDOM = new SecureRandom();

    public QueueId {
        if (!SYNTAX.matcher(value).matches()) {
            throw new IllegalArgumentException("not a queue id: '" + value + "'");
        }
    }

    /** A new id for a message arriving at {@code epochMillis}. */
    public static QueueId next(long epochMillis) {
        String time = pad(Long.toString(epochMillis, 32), 9);
        String seq = pad(Integer.toString(SEQUENCE.getAndIncrement() & 0x3FF, 32), 2);
        String rnd = pad(Integer.toString(RANDOM.nextInt(1 << 15), 32), 3);
        return new QueueId((time + seq + rnd).toUpperCase(Locale.ROOT));
    }

    /** When the message arrived, as {@link #next} was given it (to the millisecond). */
    public long arrivalMillis() {
        return Long.parseLong(value.substring(0, 9), 32);
    }

    /** True if {@code s} is a well-formed queue id (e.g. a file name in the spool). */
    public static boolean isValid(String s) {
        return SYNTAX.matcher(s).matches();
    }

    private static String pad(String s, int width) {
        if (s.length() >= width) {
            return s.substring(s.length() - width);
        }
        return "0".repeat(width - s.length()) + s;
    }

    @Override
    public int compareTo(QueueId o) {
        return value.compareTo(o.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
