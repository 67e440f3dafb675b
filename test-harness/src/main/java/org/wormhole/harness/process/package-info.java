/**
 * A {@code wormhole} command as a child process, as an admin or a service manager runs it:
 * {@link org.wormhole.harness.process.RelayProcess}, shared by the harness's tests and the
 * proving ground ({@code org.wormhole.proving}).
 */
package org.wormhole.harness.process;
