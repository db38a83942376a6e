package io.realtime.webmvc.tomcat;

import java.io.IOException;
import java.time.Duration;

import io.realtime.webmvc.container.ContainerFastPaths;
import io.realtime.webmvc.container.DetachedResponse;
import io.realtime.webmvc.container.PreEncodedFrames;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.websocket.RemoteEndpoint;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.web.socket.WebSocketSession;

/**
 * Tomcat's fast paths, each resolved and checked once, at start-up:
 * <ul>
 * <li>{@value #DETACHED_RESPONSES}: an SSE stream or a waiting long poll is taken over from its
 * request (a servlet upgrade answering {@code 200} with {@code Connection: close}) so Tomcat
 * recycles the request's buffers (~75 KB) while the response stays open, with a socket write
 * timeout and a close from any thread done on Tomcat's socket wrapper;</li>
 * <li>{@value #PRE_ENCODED_FRAMES}: WebSocket frames encoded once for every subscriber and
 * written straight to the session's socket without blocking, many per system call, completing
 * on the writer's thread rather than through the connector's executor (on connectors with
 * asynchronous IO, Tomcat's default).</li>
 * </ul>
 * and, needing nothing but Tomcat's documented behaviour, a small frame buffer per WebSocket.
 * A hook this Tomcat does not have is logged once at WARN with its name, and Spring's portable
 * path serves instead.
 *
 * @since 0.1.0
 */
public final class TomcatFastPaths implements ContainerFastPaths {

	/** The name of the hook that takes responses over from their requests. */
	public static final String DETACHED_RESPONSES = "detached-responses";

	/** The name of the hook that sends pre-encoded WebSocket frames. */
	public static final String PRE_ENCODED_FRAMES = "pre-encoded-frames";

	private static final Log logger = LogFactory.getLog(TomcatFastPaths.class);

	/** Characters Tomcat buffers per WebSocket connection while it decodes a frame. */
	private static final int TEXT_BUFFER_CHARS = 1024;

	private final @Nullable TomcatSockets sockets;

	private final @Nullable SocketFrames frames;

	private TomcatFastPaths(@Nullable TomcatSockets sockets, @Nullable SocketFrames frames) {
		this.sockets = sockets;
		this.frames = frames;
	}

	/**
	 * Resolve every hook with the class loader of the servlet API.
	 * @return the fast paths that resolved
	 */
	public static TomcatFastPaths resolve() {
		return resolve(HttpServletRequest.class.getClassLoader());
	}

	/**
	 * Resolve every hook from a class loader.
	 * @param loader the class loader that sees Tomcat's classes
	 * @return the fast paths that resolved
	 */
	public static TomcatFastPaths resolve(ClassLoader loader) {
		TomcatSockets sockets = null;
		try {
			sockets = TomcatSockets.resolve(loader);
		}
		catch (ReflectiveOperationException | RuntimeException | LinkageError ex) {
			warn(DETACHED_RESPONSES, "SSE streams and long polls stay on their requests", ex);
		}
		SocketFrames frames = null;
		try {
			frames = SocketFrames.resolve(loader);
		}
		catch (ReflectiveOperationException | RuntimeException | LinkageError ex) {
			warn(PRE_ENCODED_FRAMES, "WebSocket frames are sent with the standard API", ex);
		}
		return new TomcatFastPaths(sockets, frames);
	}

	private static void warn(String hook, String consequence, Throwable cause) {
		logger.warn("Tomcat fast path '" + hook + "' is off, this Tomcat does not have what it needs (" + cause
				+ "): " + consequence);
	}

	/** Whether a hook resolved. */
	public boolean isResolved(String hook) {
		return switch (hook) {
			case DETACHED_RESPONSES -> this.sockets != null;
			case PRE_ENCODED_FRAMES -> this.frames != null;
			default -> false;
		};
	}

	/** On Tomcat over HTTP/1.1, where a body with {@code Connection: close} may run until the connection closes. */
	@Override
	public boolean canDetach(HttpServletRequest request) {
		return this.sockets != null && "HTTP/1.1".equals(request.getProtocol()) && !request.isAsyncStarted()
				&& request.getServletContext().getServerInfo().startsWith("Apache Tomcat");
	}

	@Override
	public void detach(HttpServletRequest request, HttpServletResponse response, DetachedResponse handler,
			Duration sendTimeLimit) throws IOException, ServletException {
		TomcatSockets sockets = this.sockets;
		if (sockets == null) {
			throw new UnsupportedOperationException(DETACHED_RESPONSES + " did not resolve");
		}
		// an ordinary response whose body runs until the connection closes, committed before the
		// upgrade, which would otherwise answer 101
		response.setHeader("Connection", "close");
		response.flushBuffer();
		request.upgrade(DetachedConnection.class).attach(handler, sockets, sendTimeLimit);
	}

	/**
	 * Tomcat swaps in a buffer of this size at the next frame: 2 KB instead of 16 KB per
	 * connection; larger frames arrive in parts, which the handler joins. (On Jetty the same
	 * setting would refuse every frame over it.)
	 */
	@Override
	public void tune(WebSocketSession session) {
		session.setTextMessageSizeLimit(TEXT_BUFFER_CHARS);
	}

	@Override
	public @Nullable PreEncodedFrames preEncodedFrames(RemoteEndpoint.Async remote, Duration sendTimeLimit) {
		return (this.frames != null) ? this.frames.framesOf(remote, sendTimeLimit) : null;
	}

}
