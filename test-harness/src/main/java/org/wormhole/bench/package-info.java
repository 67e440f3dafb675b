/**
 * Benchmarks (test-harness/bench/README.md): {@link org.wormhole.bench.MailertableBench} (JMH:
 * load and lookup cost of a 100,000-entry mailertable), {@link org.wormhole.bench.RelayLoadRun}
 * (one real relay in one JVM, SMTP in, fsync'ed spool, a counting sink out) and
 * {@link org.wormhole.bench.DelayingProxy}, a loopback TCP proxy that stands in for the WAN
 * between two sites (a round-trip delay, cuts, refusals and freezes), used by
 * {@code two-sites.sh} and by the proving ground.
 *
 * <p>Not part of the relay: these drive it from outside, through its SMTP port and its link.
 */
package org.wormhole.bench;
