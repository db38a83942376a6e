package io.realtime.bench.load;

/**
 * How the load generator talks to a server under test.
 *
 * @since 0.1.0
 */
public enum Protocol {

	/** Our WebSocket endpoint. */
	REALTIME_WS,

	/** Our SSE endpoint. */
	REALTIME_SSE,

	/** Our long-poll endpoint. */
	REALTIME_LONG_POLL,

	/** STOMP over WebSocket to Spring's simple broker. */
	STOMP_WS,

	/** Socket.IO 4 over WebSocket. */
	SOCKETIO_WS,

	/** The naive list-of-SseEmitters endpoint. */
	NAIVE_SSE;

	ClientConnection connect(IoLoop loop, Endpoint endpoint, int topic) {
		return switch (this) {
			case REALTIME_WS -> new RealtimeWebSocketClient(loop, endpoint, topic);
			case REALTIME_SSE -> new SseClient(loop, endpoint, topic, "/realtime/sse");
			case REALTIME_LONG_POLL -> new LongPollClient(loop, endpoint, topic);
			case STOMP_WS -> new StompClient(loop, endpoint, topic);
			case SOCKETIO_WS -> new SocketIoClient(loop, endpoint, topic);
			case NAIVE_SSE -> new SseClient(loop, endpoint, topic, "/sse");
		};
	}

	/** Whether readiness must be read off the server: the protocol confirms no subscription. */
	boolean serverConfirms() {
		return this == STOMP_WS;
	}

}
