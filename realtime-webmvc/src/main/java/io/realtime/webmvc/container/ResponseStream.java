package io.realtime.webmvc.container;

import java.io.IOException;

/**
 * A response body written one chunk at a time without a thread waiting where the container
 * allows it: an SSE stream, or the reply of a long poll.
 *
 * @since 0.1.0
 */
public interface ResponseStream {

	/**
	 * Write and flush one chunk; one write at a time.
	 * @param bytes the chunk
	 * @param done runs once the stream can take more, on any thread, possibly before returning
	 * @throws IOException when the write fails at once
	 */
	void write(byte[] bytes, Runnable done) throws IOException;

	/** End the response, after the write in flight; safe to call more than once. */
	void close();

}
