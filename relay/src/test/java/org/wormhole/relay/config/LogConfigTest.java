package org.wormhole.relay.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** log_format and syslog_name as an admin writes them. */
class LogConfigTest {

    @TempDir
    Path home;

    @Test
    void theLogIsTheRelaysOwnFormUnlessSyslogIsAskedFor() throws Exception {
        LogConfig defaults = ConfigLoader.defaults(home).log();
        assertEquals(new LogConfig(LogConfig.Format.DEFAULT, "wormhole"), defaults);

        Path f = Files.writeString(home.resolve("syslog.conf"), "log_format = syslog\nsyslog_name = wormhole-tokyo\n");
        assertEquals(new LogConfig(LogConfig.Format.SYSLOG, "wormhole-tokyo"), ConfigLoader.load(f, home).log());
    }

    @Test
    void aWrongFormatOrNameIsReportedAtItsLine() throws Exception {
        Path bad = Files.writeString(home.resolve("bad.conf"), """
                # logging
                log_format = json
                syslog_name = "wormhole/smtpd"
                """);
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(bad, home));
        assertEquals(List.of(bad + ":2: log_format: 'json': expected default or syslog",
                bad + ":3: syslog_name: 'wormhole/smtpd': expected letters, digits, '.', '_' or '-' (at most 64),"
                        + " beginning with a letter or digit"), e.problems());
    }
}
