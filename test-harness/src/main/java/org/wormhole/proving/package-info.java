/**
 * The proving ground: {@link org.wormhole.proving.ProvingGround} runs two real relay processes
 * (Tokyo -> link -> Birlinghoven -> a counting sink, {@code Sites}) and crashes them with
 * kill -9 ({@code KillTrials}), cuts the link ({@code LinkCutTrials}), fills a disk
 * ({@code DiskFullTrial}), probes for open relaying and smuggling ({@code Probes}) and floods the
 * SMTP and link ports ({@code Floods}), while {@code Load} sends numbered mail, {@code Sink}
 * keeps every copy that arrived and {@code Tally} counts what was lost or duplicated.
 * {@code PostfixTrial} runs the same kill -9 trial against Postfix as the yardstick. Started by
 * {@code test-harness/proving-ground/run.sh}.
 *
 * <p>Not part of the relay: it drives the whole pipeline from outside, from SMTP in at one site
 * to SMTP out at the other.
 */
package org.wormhole.proving;
