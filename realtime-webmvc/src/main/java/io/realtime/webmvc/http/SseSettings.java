package io.realtime.webmvc.http;

import java.time.Duration;

/**
 * Tunables of the SSE transport.
 *
 * @param heartbeat interval between keep-alive comments
 * @param retry reconnect delay advised to clients
 * @param sendBufferBytes most bytes queued for one slow stream before it is closed
 * @param sendTimeLimit longest a write may wait for a client that does not read, on a stream
 * carried past its request (elsewhere the container's write timeout applies)
 * @param detach whether an open stream is carried past its request where the container's fast
 * path allows it
 * @since 0.1.0
 */
public record SseSettings(Duration heartbeat, Duration retry, long sendBufferBytes, Duration sendTimeLimit,
		boolean detach) {
}
