/**
 * Scheduling (Postfix qmgr): routes each recipient by the mailertable at each attempt, retries
 * with backoff, bounces and delay warnings, hold, release and delete.
 *
 * <p>It never speaks SMTP: delivery agents do that.
 */
package org.wormhole.relay.qmgr;
