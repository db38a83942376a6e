package io.realtime.bench.server;

/**
 * What a server under test does for the harness: publish one tick the way its users would.
 *
 * @since 0.1.0
 */
public interface BenchTarget {

	/**
	 * Publish a tick to a topic with the server's own publishing API.
	 * @param topic the topic, {@code bench-<n>}
	 * @param tick the payload
	 */
	void publish(String topic, Tick tick);

	/**
	 * Subscribe operations handled so far, for servers whose protocol confirms none to the client.
	 * @return a count that only grows, or {@code -1} when the client is told
	 */
	default long subscribed() {
		return -1;
	}

	/**
	 * Connections the server still holds, so a heap baseline waits for those of an earlier
	 * scenario (an SSE stream is only found gone when a heartbeat fails to write).
	 * @return the count, or {@code -1} when the server does not tell
	 */
	default long openConnections() {
		return -1;
	}

}
