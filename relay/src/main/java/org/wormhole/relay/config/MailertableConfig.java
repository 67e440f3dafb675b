package org.wormhole.relay.config;

import java.nio.file.Path;
import java.time.Duration;

/** Where routing reads its table, and how long an edit must rest before it is loaded. */
public record MailertableConfig(
        Path file,                          // mailertable
        Duration settleTime) {              // mailertable_settle_time
}
