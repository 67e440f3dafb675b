package org.wormhole.relay.smtpd;

/** Basic syntax of an envelope sender. Recipients get the full relay policy check. */
final class AddressSyntax {

    private AddressSyntax() {
    }

    /** Why {@code address} is not {@code local@domain}, or null if it is. */
    static String problem(String address) {
        if (address.length() > 254) {
            return "address longer than 254 octets";
        }
        int at = address.lastIndexOf('@');
        if (at <= 0 || at == address.length() - 1) {
            return "expected local-part@domain";
        }
        if (address.startsWith("@")) {
            return "source routes are not supported";
        }
        for (int i = 0; i < address.length(); i++) {
            char c = address.charAt(i);
            if (c <= ' ' || c == 0x7F) {
                return "control character or space in address";
            }
        }
        return null;
    }

    /**
     * {@code local@domain} with the trailing dot of an absolute domain name removed
     * ({@code user@a.example.} is {@code user@a.example}); any other address unchanged.
     */
    static String withoutTrailingDot(String address) {
        return address.endsWith(".") && address.lastIndexOf('@') > 0 ? address.substring(0, address.length() - 1)
                : address;
    }

    static boolean isAscii(String s) {
        return s.chars().allMatch(c -> c < 128);
    }
}
