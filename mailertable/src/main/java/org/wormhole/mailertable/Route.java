package org.wormhole.mailertable;

/**
 * What a mailertable value tells the relay to do with a recipient.
 *
 * <p>A value is one of four kinds, following the mailer it names: hand the message to a
 * transport ({@code esmtp}, {@code smtp}, {@code smtp8}, {@code relay}, {@code lmtp},
 * {@code tsmtp}), refuse it ({@code error}), drop it ({@code discard}) or deliver it to a local
 * user ({@code local}).
 */
public sealed interface Route {

    Mailer mailer();

    /** Send through {@code mailer} to {@code nexthop}. */
    record Transport(Mailer mailer, Nexthop nexthop) implements Route {
        public Transport {
            if (mailer.kind() != Mailer.Kind.TRANSPORT) {
                throw new IllegalArgumentException(mailer + " is not a transport mailer");
            }
        }
    }

    /** Refuse the recipient with {@code reply} (a bounce for 5xx, a deferral for 4xx). */
    record Reject(ErrorReply reply) implements Route {
        @Override
        public Mailer mailer() {
            return Mailer.ERROR;
        }
    }

    /** Accept the recipient and drop the message for it. */
    record Discard() implements Route {
        @Override
        public Mailer mailer() {
            return Mailer.DISCARD;
        }
    }

    /**
     * Deliver to a local user.
     *
     * @param user the local user, or empty to keep the recipient's local part
     */
    record Local(String user) implements Route {
        @Override
        public Mailer mailer() {
            return Mailer.LOCAL;
        }
    }
}
