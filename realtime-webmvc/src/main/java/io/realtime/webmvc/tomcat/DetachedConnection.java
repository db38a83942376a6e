package io.realtime.webmvc.tomcat;

import java.io.IOException;
import java.time.Duration;

import io.realtime.webmvc.container.DetachedResponse;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpUpgradeHandler;
import jakarta.servlet.http.WebConnection;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * A response taken over from its request (a servlet upgrade answered with {@code 200} and
 * {@code Connection: close}), so Tomcat recycles the request and its buffers while the response
 * stays open, as it does for a WebSocket. Created by the container; not for use by applications.
 *
 * @since 0.1.0
 */
public final class DetachedConnection implements HttpUpgradeHandler {

	private static final Log logger = LogFactory.getLog(DetachedConnection.class);

	private @Nullable DetachedResponse handler;

	private @Nullable TomcatSockets sockets;

	private Duration sendTimeLimit = Duration.ZERO;

	/** Called by the container. */
	public DetachedConnection() {
	}

	void attach(DetachedResponse handler, TomcatSockets sockets, Duration sendTimeLimit) {
		this.handler = handler;
		this.sockets = sockets;
		this.sendTimeLimit = sendTimeLimit;
	}

	@Override
	public void init(WebConnection connection) {
		DetachedResponse handler = this.handler;
		TomcatSockets sockets = this.sockets;
		if (handler == null || sockets == null) {
			throw new IllegalStateException("taken over without a handler");
		}
		try {
			ServletInputStream in = connection.getInputStream();
			in.setReadListener(new EndOfStream(in, handler));
			ServletOutputStream out = connection.getOutputStream();
			sockets.setWriteTimeout(out, this.sendTimeLimit);
			handler.start(new ResponseOutput(out, handler::clientGone, () -> close(connection, sockets, out)));
		}
		catch (Throwable ex) {
			logger.debug("Taken-over connection failed at its start", ex);
			handler.clientGone();
		}
	}

	/** Close the connection, and its socket at once, whichever thread this runs on. */
	private static void close(WebConnection connection, TomcatSockets sockets, ServletOutputStream out) {
		try {
			connection.close();
		}
		catch (Exception ex) {
			// closed already
		}
		try {
			// closing a taken-over connection alone waits for the container's next event for it
			sockets.close(out);
		}
		catch (Throwable ex) {
			logger.debug("Could not close the socket of a taken-over connection", ex);
		}
	}

	@Override
	public void destroy() {
		if (this.handler != null) {
			this.handler.destroyed();
		}
	}

	/** A client sends nothing more: reading only tells when it goes away. */
	private static final class EndOfStream implements ReadListener {

		private final ServletInputStream in;

		private final DetachedResponse handler;

		EndOfStream(ServletInputStream in, DetachedResponse handler) {
			this.in = in;
			this.handler = handler;
		}

		@Override
		public void onDataAvailable() throws IOException {
			byte[] ignored = new byte[256];
			while (this.in.isReady()) {
				if (this.in.read(ignored) == -1) {
					this.handler.clientGone();
					return;
				}
			}
		}

		@Override
		public void onAllDataRead() {
			this.handler.clientGone();
		}

		@Override
		public void onError(Throwable failure) {
			this.handler.clientGone();
		}

	}

}
