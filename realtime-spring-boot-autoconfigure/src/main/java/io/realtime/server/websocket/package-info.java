/**
 * The WebSocket transport.
 */
@NullMarked
package io.realtime.server.websocket;

import org.jspecify.annotations.NullMarked;
