package org.wormhole.cli;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.wormhole.relay.Relay;

/**
 * SIGHUP to {@code wormhole run}: the relay reloads its configuration, as {@code wormhole
 * reload} asks it to (the report goes to the relay's log). Through {@code sun.misc.Signal}
 * (jdk.unsupported), the JDK's only way to catch a signal; where it is missing, SIGHUP keeps
 * its default (the JVM stops gracefully) and {@code wormhole reload} still works.
 */
final class ReloadOnHangup {

    private static final Logger log = LoggerFactory.getLogger("relay");

    private ReloadOnHangup() {
    }

    /** From now on SIGHUP reloads {@code relay}; false if the signal cannot be caught here. */
    static boolean install(Relay relay) {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("HUP"), signal -> {
                log.info("reload: SIGHUP received");
                relay.reload(); // logs its report; runs on the JVM's signal thread, one reload at a time
            });
            return true;
        } catch (IllegalArgumentException | LinkageError e) {
            log.warn("SIGHUP cannot be caught here ({}): use 'wormhole reload'", e.toString());
            return false;
        }
    }
}
