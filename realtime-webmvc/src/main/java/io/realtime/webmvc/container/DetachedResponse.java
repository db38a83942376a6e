package io.realtime.webmvc.container;

import java.io.IOException;

/**
 * What runs on a response carried past its request by
 * {@link ContainerFastPaths#detach}: an SSE stream, or a long poll that waits.
 *
 * @since 0.1.0
 */
public interface DetachedResponse {

	/**
	 * Start writing; the response's headers are out.
	 * @param stream the body, which ends when the connection closes
	 * @throws IOException when the connection failed already
	 */
	void start(ResponseStream stream) throws IOException;

	/** The client closed the connection, or a write failed: let go of everything. */
	void clientGone();

	/** The container let go of the connection. */
	void destroyed();

}
