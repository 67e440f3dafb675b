package org.wormhole.relay.queue;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * What a message's content needs from the next hop, as the client declared it: written in the
 * queue file's {@code flags} field as its word (QUEUE-FORMAT.md), carried over the link as its
 * bit (PROTOCOL.md, OFFER flags), and asked of an SMTP server as the ESMTP parameter.
 */
public enum BodyFlag {

    /** {@code BODY=8BITMIME}: octets above 127 in the content. */
    EIGHT_BIT_MIME("8bitmime", 1),
    /** {@code SMTPUTF8}: UTF-8 in addresses and headers. */
    SMTPUTF8("smtputf8", 2);

    private final String word;
    private final int linkBit;

    BodyFlag(String word, int linkBit) {
        this.word = word;
        this.linkBit = linkBit;
    }

    /** As written in the queue file: {@code 8bitmime}, {@code smtputf8}. */
    public String word() {
        return word;
    }

    /** The flag with this queue-file word, if there is one. */
    public static Optional<BodyFlag> ofWord(String word) {
        for (BodyFlag f : values()) {
            if (f.word.equals(word.toLowerCase(Locale.ROOT))) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }

    /** The OFFER frame's flags field for {@code flags}. */
    public static int linkBits(Set<BodyFlag> flags) {
        int bits = 0;
        for (BodyFlag f : flags) {
            bits |= f.linkBit;
        }
        return bits;
    }

    /** The flags an OFFER frame's flags field sets (bits this version does not know are ignored). */
    public static Set<BodyFlag> ofLinkBits(int bits) {
        Set<BodyFlag> flags = EnumSet.noneOf(BodyFlag.class);
        for (BodyFlag f : values()) {
            if ((bits & f.linkBit) != 0) {
                flags.add(f);
            }
        }
        return flags;
    }
}
