package io.realtime.webmvc.websocket;

import java.time.Duration;

/**
 * Tunables of the WebSocket transport.
 *
 * @param pingInterval interval between ping frames
 * @param sendBufferBytes most bytes queued for one slow connection before it is closed
 * @param sendTimeLimit longest time one frame may take to write
 * @since 0.1.0
 */
public record WebSocketSettings(Duration pingInterval, long sendBufferBytes, Duration sendTimeLimit) {
}
