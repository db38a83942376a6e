package io.realtime.webmvc.container;

import jakarta.websocket.SendHandler;

/**
 * WebSocket frames of one session sent from bytes, without blocking: the standard API takes
 * only a {@code String} and encodes it again for every connection, and its ping and batch flush
 * wait for a slow client's socket.
 *
 * @since 0.1.0
 */
public interface PreEncodedFrames {

	/**
	 * Start sending one whole frame.
	 * @param frame the frame as a server sends it (unmasked): header and payload, encoded once
	 * for every subscriber; not modified
	 * @param handler hears the result
	 */
	void send(byte[] frame, SendHandler handler);

	/**
	 * Send a ping.
	 * @param handler hears the result
	 */
	void ping(SendHandler handler);

	/**
	 * Write out the frames that batching has buffered.
	 * @param handler hears the result
	 */
	void flush(SendHandler handler);

}
