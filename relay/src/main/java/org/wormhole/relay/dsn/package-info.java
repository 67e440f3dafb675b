/**
 * Delivery status notifications (RFC 3464): the bounces and delay warnings the relay returns to
 * senders, built with Jakarta Mail as {@code multipart/report} messages.
 *
 * <p>Owns the wording and format of notices only. It never queues, sends or schedules anything:
 * the scheduler decides when a notice is due, calls {@link org.wormhole.relay.dsn.DsnBuilder},
 * and hands the bytes to the queue writer with the null sender. No I/O but reading the header
 * section of the stored original it is given.
 */
package org.wormhole.relay.dsn;
