package io.realtime.webmvc.http;

import java.io.IOException;
import java.time.Duration;

import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpUpgradeHandler;
import jakarta.servlet.http.WebConnection;
import org.jspecify.annotations.Nullable;

/**
 * A response taken over from its request (a servlet upgrade answered with {@code 200} and
 * {@code Connection: close}), so the container recycles the request and its buffers while the
 * response stays open, as it does for a WebSocket: an SSE stream, or a long poll that waits.
 * Created by the container; not for use by applications.
 *
 * @since 0.1.0
 */
public final class DetachedConnection implements HttpUpgradeHandler {

	private @Nullable Session session;

	private Duration sendTimeLimit = Duration.ZERO;

	/** Called by the container. */
	public DetachedConnection() {
	}

	/**
	 * Whether a response can be taken over from its request here: on Tomcat over HTTP/1.1, where
	 * the body of a response with {@code Connection: close} may simply run until the connection
	 * closes.
	 */
	static boolean supported(HttpServletRequest request) {
		return "HTTP/1.1".equals(request.getProtocol()) && !request.isAsyncStarted()
				&& request.getServletContext().getServerInfo().startsWith("Apache Tomcat");
	}

	/**
	 * Commit the response's headers, then take the connection over: the session starts once the
	 * container hands it over.
	 */
	static void detach(HttpServletRequest request, HttpServletResponse response, Session session,
			Duration sendTimeLimit) throws IOException, ServletException {
		// an ordinary response whose body runs until the connection closes, committed before the
		// upgrade, which would otherwise answer 101
		response.setHeader("Connection", "close");
		response.flushBuffer();
		DetachedConnection handler = request.upgrade(DetachedConnection.class);
		handler.session = session;
		handler.sendTimeLimit = sendTimeLimit;
	}

	/**
	 * Ends a taken-over connection: closed, and its socket closed at once, whichever thread this
	 * runs on.
	 */
	static AutoCloseable closer(WebConnection connection) throws IOException {
		ServletOutputStream out = connection.getOutputStream();
		return () -> {
			try {
				connection.close();
			}
			finally {
				TomcatSockets.close(out);
			}
		};
	}

	@Override
	public void init(WebConnection connection) {
		Session session = this.session;
		if (session == null) {
			throw new IllegalStateException("taken over without a session");
		}
		try {
			ServletInputStream in = connection.getInputStream();
			in.setReadListener(new EndOfStream(in, session));
			TomcatSockets.setWriteTimeout(connection.getOutputStream(), this.sendTimeLimit);
			session.start(connection);
		}
		catch (IOException | RuntimeException ex) {
			session.clientGone();
		}
	}

	@Override
	public void destroy() {
		if (this.session != null) {
			this.session.destroyed();
		}
	}

	/** What runs on a connection once it is taken over. */
	interface Session {

		/** Start; the response's headers are out. */
		void start(WebConnection connection) throws IOException;

		/** The client closed the connection, or it failed: close what is left of it. */
		void clientGone();

		/** The container let go of the connection. */
		void destroyed();

	}

	/** A client sends nothing more: reading only tells when it goes away. */
	private static final class EndOfStream implements ReadListener {

		private final ServletInputStream in;

		private final Session session;

		EndOfStream(ServletInputStream in, Session session) {
			this.in = in;
			this.session = session;
		}

		@Override
		public void onDataAvailable() throws IOException {
			byte[] ignored = new byte[256];
			while (this.in.isReady()) {
				if (this.in.read(ignored) == -1) {
					this.session.clientGone();
					return;
				}
			}
		}

		@Override
		public void onAllDataRead() {
			this.session.clientGone();
		}

		@Override
		public void onError(Throwable failure) {
			this.session.clientGone();
		}

	}

}
