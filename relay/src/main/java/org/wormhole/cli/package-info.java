/**
 * The {@code wormhole} command line (picocli): {@link org.wormhole.cli.Wormhole} and its
 * subcommands {@code run}, {@code config check}, {@code queue}, {@code link status},
 * {@code mailertable check|lookup|watch}, {@code keygen}, {@code fingerprint} and {@code demo}.
 * Exit codes: 0 success, 1 a reported failure, 2 bad usage.
 *
 * <p>It is the operator's side of the relay, not part of the mail pipeline: {@code run} starts a
 * {@link org.wormhole.relay.Relay}; {@code queue} and {@code link} talk to a running relay through
 * its control socket (the queue commands work on the queue files directly, under the spool's
 * lock, when no relay runs); the others work on files only.
 */
package org.wormhole.cli;
