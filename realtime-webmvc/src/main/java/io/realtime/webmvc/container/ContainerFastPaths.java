package io.realtime.webmvc.container;

import java.io.IOException;
import java.time.Duration;

import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.websocket.RemoteEndpoint;
import org.jspecify.annotations.Nullable;

import org.springframework.web.socket.WebSocketSession;

/**
 * Container-specific ways to serve a transport with less memory or CPU than the Servlet and
 * Jakarta WebSocket APIs allow. Every method has a portable answer ("not here"), which
 * {@link #NONE} gives for all of them: the transports then use Spring's own types
 * ({@code SseEmitter}, {@code DeferredResult}, the standard WebSocket send API). Implementations
 * resolve and check their hooks once, at start-up.
 *
 * @since 0.1.0
 */
public interface ContainerFastPaths {

	/** No fast path: Spring's portable types serve every transport. */
	ContainerFastPaths NONE = new ContainerFastPaths() {
	};

	/**
	 * Whether the response of a request can be carried past it ({@link #detach}).
	 * @param request the request
	 * @return {@code false} unless the container and the protocol allow it
	 */
	default boolean canDetach(HttpServletRequest request) {
		return false;
	}

	/**
	 * Commit the response's headers, then carry the response past its request: the container
	 * recycles the request and its buffers while the response stays open. The handler starts
	 * once the container hands the connection over.
	 * @param request a request for which {@link #canDetach} answered {@code true}
	 * @param response its response, headers set
	 * @param handler what runs on the connection
	 * @param sendTimeLimit longest a write may wait for a client that does not read
	 * @throws IOException when the response cannot be committed
	 * @throws ServletException when the container refuses
	 */
	default void detach(HttpServletRequest request, HttpServletResponse response, DetachedResponse handler,
			Duration sendTimeLimit) throws IOException, ServletException {
		throw new UnsupportedOperationException("responses cannot be detached on this container");
	}

	/**
	 * Tune a WebSocket session once it is open, for less memory per connection.
	 * @param session the new session
	 */
	default void tune(WebSocketSession session) {
	}

	/**
	 * Frames sent from bytes encoded once for every subscriber, for a session's remote endpoint.
	 * @param remote the asynchronous remote endpoint of a session
	 * @param sendTimeLimit longest a write may wait for a client that does not read
	 * @return the frames, or {@code null} to use the standard send API
	 */
	default @Nullable PreEncodedFrames preEncodedFrames(RemoteEndpoint.Async remote, Duration sendTimeLimit) {
		return null;
	}

}
