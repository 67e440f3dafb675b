package org.wormhole.mailertable;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The mailers a mailertable value may name, as in sendmail's {@code mailer:host} syntax.
 *
 * <p>{@link #TSMTP} is Wormhole's own: the encrypted link to a peer site (the mailer name the
 * classic sendmail + {@code ssh -L} setup used for its tunnel port).
 */
public enum Mailer {
    /** Normal SMTP delivery with ESMTP. */
    ESMTP("esmtp", Kind.TRANSPORT),
    /** Normal SMTP delivery (sendmail's plain smtp mailer; Wormhole speaks ESMTP either way). */
    SMTP("smtp", Kind.TRANSPORT),
    /** SMTP for 8-bit content (sendmail's smtp8). */
    SMTP8("smtp8", Kind.TRANSPORT),
    /** SMTP to a relay host (sendmail's relay mailer). */
    RELAY("relay", Kind.TRANSPORT),
    /** LMTP to an internal mailbox server. */
    LMTP("lmtp", Kind.TRANSPORT),
    /** The tunnel link to a peer Wormhole site. */
    TSMTP("tsmtp", Kind.TRANSPORT),
    /** Refuse the recipient with the table's reply code and text. */
    ERROR("error", Kind.ERROR),
    /** Accept and drop the recipient. */
    DISCARD("discard", Kind.DISCARD),
    /** Deliver to a local user. */
    LOCAL("local", Kind.LOCAL);

    /** What a mailer does with a message. */
    public enum Kind { TRANSPORT, ERROR, DISCARD, LOCAL }

    private final String mailerName;
    private final Kind kind;

    Mailer(String mailerName, Kind kind) {
        this.mailerName = mailerName;
        this.kind = kind;
    }

    /** The name as written in a mailertable value, e.g. {@code esmtp}. */
    public String mailerName() {
        return mailerName;
    }

    public Kind kind() {
        return kind;
    }

    /** The mailer with this (case-insensitive) name, or null if there is none. */
    public static Mailer byName(String name) {
        for (Mailer m : values()) {
            if (m.mailerName.equalsIgnoreCase(name)) {
                return m;
            }
        }
        return null;
    }

    /** All mailer names, comma separated, for error messages. */
    public static String knownNames() {
        return Arrays.stream(values()).map(Mailer::mailerName).collect(Collectors.joining(", "));
    }

    @Override
    public String toString() {
        return mailerName;
    }
}
