package org.wormhole.relay.smtpd.auth;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;

/**
 * bcrypt password hashes in the {@code $2y$COST$SALTHASH} form that {@code htpasswd -B} writes
 * (Bouncy Castle's {@link OpenBSDBCrypt}; {@code $2a$} and {@code $2b$} are read too). Thread-safe.
 */
public final class PasswordHash {

    /** The cost of new hashes: 2^10 rounds, about 50-100 ms per check on one core. */
    public static final int DEFAULT_COST = 10;
    /** The least and most cost accepted for a new hash ({@code htpasswd -B -C} allows 4 to 17). */
    public static final int MIN_COST = 4;
    public static final int MAX_COST = 17;
    /** bcrypt reads only the first 72 octets of a password: a longer one is refused, not cut silently. */
    public static final int MAX_PASSWORD_BYTES = 72;

    private static final Pattern BCRYPT = Pattern.compile("\\$2[aby]\\$(0[4-9]|[12][0-9]|3[01])\\$[./A-Za-z0-9]{53}");
    private static final SecureRandom RANDOM = new SecureRandom();
    /** By cost: what an unknown user's password is checked against, so that a wrong name costs as long as a wrong password. */
    private static final Map<Integer, String> DUMMIES = new ConcurrentHashMap<>();

    private PasswordHash() {
    }

    /** True if {@code text} is a bcrypt hash this class can check. */
    public static boolean isBcrypt(String text) {
        return BCRYPT.matcher(text).matches();
    }

    /**
     * A new {@code $2y$} hash of {@code password} with a random salt.
     *
     * @throws IllegalArgumentException the password is empty, longer than {@link #MAX_PASSWORD_BYTES}
     *                                  octets in UTF-8, or the cost is outside {@link #MIN_COST}..{@link #MAX_COST}
     */
    public static String hash(char[] password, int cost) {
        String problem = problem(password);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        if (cost < MIN_COST || cost > MAX_COST) {
            throw new IllegalArgumentException("cost " + cost + " is not " + MIN_COST + "-" + MAX_COST);
        }
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        return OpenBSDBCrypt.generate("2y", password, salt, cost);
    }

    /** What is wrong with {@code password} as a new password, or null. */
    public static String problem(char[] password) {
        if (password.length == 0) {
            return "empty password";
        }
        String s = new String(password);
        if (s.chars().anyMatch(c -> c < ' ' || c == 0x7F)) {
            return "the password has a control character (a client cannot send it in every mechanism)";
        }
        if (s.getBytes(StandardCharsets.UTF_8).length > MAX_PASSWORD_BYTES) {
            return "the password is longer than " + MAX_PASSWORD_BYTES + " octets (bcrypt would ignore the rest)";
        }
        return null;
    }

    /** True if {@code password} matches {@code hash} (a hash {@link #isBcrypt} accepts). */
    public static boolean matches(String hash, String password) {
        if (password.getBytes(StandardCharsets.UTF_8).length > MAX_PASSWORD_BYTES) {
            burn(cost(hash));
            return false; // bcrypt would compare only the first 72 octets: such a password never matches
        }
        try {
            return OpenBSDBCrypt.checkPassword(hash, password.toCharArray());
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** The cost of a hash {@link #isBcrypt} accepts: each step doubles the time of a check. */
    public static int cost(String hash) {
        return Integer.parseInt(hash.substring(4, 6));
    }

    /**
     * As long as one check of a hash of {@code cost}: for an unknown user (with the cost of the
     * users' hashes), so that the reply's delay does not tell names apart.
     */
    public static void burn(int cost) {
        String dummy = DUMMIES.computeIfAbsent(Math.max(MIN_COST, Math.min(31, cost)),
                c -> OpenBSDBCrypt.generate("2y", "not a password".toCharArray(), new byte[16], c));
        OpenBSDBCrypt.checkPassword(dummy, "x".toCharArray());
    }
}
