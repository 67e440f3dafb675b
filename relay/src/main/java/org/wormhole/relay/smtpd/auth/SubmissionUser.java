package org.wormhole.relay.smtpd.auth;

import java.util.List;
import java.util.Locale;

/**
 * One line of the users file: a login name, its bcrypt hash, and the envelope sender addresses it
 * owns ({@code user@domain}, or {@code @domain} for every address of a domain), as Postfix's
 * {@code smtpd_sender_login_maps} would list them for it.
 *
 * @param name      the login name (AUTH's authentication identity), exactly as the client sends it
 * @param hash      a bcrypt hash ({@link PasswordHash#isBcrypt})
 * @param addresses the sender addresses it owns, lower case
 */
public record SubmissionUser(String name, String hash, List<String> addresses) {

    public SubmissionUser {
        String problem = nameProblem(name);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        if (!PasswordHash.isBcrypt(hash)) {
            throw new IllegalArgumentException("not a bcrypt hash");
        }
        addresses = addresses.stream().map(a -> a.toLowerCase(Locale.ROOT)).toList();
        for (String a : addresses) {
            String p = addressProblem(a);
            if (p != null) {
                throw new IllegalArgumentException(p);
            }
        }
    }

    /**
     * True if {@code sender} is this user's: listed, in a listed {@code @domain}, or the login name
     * itself when that is an address. Case-insensitive, as Postfix's table lookups are.
     */
    public boolean owns(String sender) {
        String s = sender.toLowerCase(Locale.ROOT);
        if (s.equals(name.toLowerCase(Locale.ROOT)) && s.indexOf('@') > 0) {
            return true;
        }
        int at = s.lastIndexOf('@');
        String domain = at < 0 ? null : s.substring(at);
        return addresses.stream().anyMatch(a -> a.equals(s) || a.equals(domain));
    }

    /** What is wrong with {@code name} as a login name, or null. */
    public static String nameProblem(String name) {
        if (name == null || name.isEmpty()) {
            return "empty user name";
        }
        if (name.length() > 255) {
            return "user name longer than 255 characters";
        }
        if (name.startsWith("#")) {
            return "user name '" + shown(name) + "' starts with '#'";
        }
        if (name.chars().anyMatch(c -> c <= ' ' || c == 0x7F || c == ':')) {
            return "user name '" + shown(name) + "' has a space, a control character or ':'";
        }
        return null;
    }

    /** What is wrong with {@code address} as an owned sender address, or null. */
    public static String addressProblem(String address) {
        int at = address.lastIndexOf('@');
        if (at < 0 || at == address.length() - 1) {
            return "'" + shown(address) + "' is not an address (user@domain) or a domain (@domain)";
        }
        if (address.chars().anyMatch(c -> c <= ' ' || c == 0x7F || c == ',' || c == ':' || c == '<' || c == '>')) {
            return "address '" + shown(address) + "' has a space, a control character or one of , : < >";
        }
        return null;
    }

    /** Printable, for an error message: control characters as '?'. */
    static String shown(String s) {
        StringBuilder b = new StringBuilder();
        s.codePoints().limit(80).forEach(c -> b.appendCodePoint(c < ' ' || c == 0x7F ? '?' : c));
        return b.toString();
    }
}
