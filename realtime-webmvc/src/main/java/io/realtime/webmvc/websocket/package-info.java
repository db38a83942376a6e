/**
 * The WebSocket transport.
 */
@NullMarked
package io.realtime.webmvc.websocket;

import org.jspecify.annotations.NullMarked;
