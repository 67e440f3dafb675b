/**
 * The link protocol's frames, versions 1 and 2 (PROTOCOL.md): {@link org.wormhole.link.wire.Frame}, a
 * sealed type of immutable records (HELLO, PING/PONG, OFFER/CHUNK/END, RESULT, CANCEL, GOODBYE;
 * version 2: OPEN, OPENED, DATA, CREDIT, EOF, CLOSE),
 * and {@link org.wormhole.link.wire.FrameCodec}, which writes them and reads them strictly and
 * bounded; a frame that breaks the rules is a {@link org.wormhole.link.wire.ProtocolViolation},
 * on which the link is closed and nothing is lost.
 *
 * <p>Bytes and values only: no sockets, no threads, no state. A link session reads and writes
 * its frames through this package.
 */
package org.wormhole.link.wire;
