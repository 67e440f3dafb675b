package org.wormhole.relay.config;

import java.nio.file.Path;
import java.time.Duration;

/** What the queue and its manager read: the spool, and how long and how often mail is retried. */
public record QueueConfig(
        Path directory,                     // queue_directory
        long minfree,                       // queue_minfree
        int hopcountLimit,                  // hopcount_limit
        Duration minimalBackoff,            // minimal_backoff_time
        Duration maximalBackoff,            // maximal_backoff_time
        Duration maximalQueueLifetime,      // maximal_queue_lifetime
        Duration delayWarningTime) {        // delay_warning_time
}
