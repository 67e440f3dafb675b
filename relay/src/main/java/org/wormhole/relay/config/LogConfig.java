package org.wormhole.relay.config;

import java.util.Locale;
import java.util.regex.Pattern;

/** How the relay writes its log (the log itself always goes to stderr, one line per event). */
public record LogConfig(
        Format format,                      // log_format
        String syslogName) {                // syslog_name

    private static final Pattern SYSLOG_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    /** The form of each line. */
    public enum Format {
        /** ISO-8601 time, level, process: the relay's own form, for the journal and terminals. */
        DEFAULT,
        /**
         * Postfix's lines as syslog writes them, {@code MMM dd HH:mm:ss HOST NAME/PROCESS[PID]: ...},
         * for the tools that read Postfix logs (pflogsumm).
         */
        SYSLOG;

        /** As written in the configuration. */
        public String keyword() {
            return name().toLowerCase(Locale.ROOT);
        }

        static Format parse(String s) {
            return switch (s.strip().toLowerCase(Locale.ROOT)) {
                case "default" -> DEFAULT;
                case "syslog" -> SYSLOG;
                default -> throw new IllegalArgumentException("'" + s + "': expected default or syslog");
            };
        }
    }

    /** A syslog_name: letters, digits, '.', '_' and '-', at most 64, as a syslog tag allows. */
    static String syslogName(String s) {
        if (!SYSLOG_NAME.matcher(s).matches()) {
            throw new IllegalArgumentException("'" + s + "': expected letters, digits, '.', '_' or '-' (at most 64),"
                    + " beginning with a letter or digit");
        }
        return s;
    }
}
