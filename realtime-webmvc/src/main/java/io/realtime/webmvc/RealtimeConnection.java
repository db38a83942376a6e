package io.realtime.webmvc;

/**
 * A long-lived client connection (SSE stream, WebSocket, waiting long poll) known to the
 * {@link ConnectionRegistry}.
 *
 * @since 0.1.0
 */
public interface RealtimeConnection {

	/** The transport name: {@code sse}, {@code websocket} or {@code long-poll}. */
	String transport();

	/** Send a keep-alive; called periodically for transports that have one. */
	default void heartbeat() {
	}

	/** Close because the application is shutting down. */
	void shutdown();

}
