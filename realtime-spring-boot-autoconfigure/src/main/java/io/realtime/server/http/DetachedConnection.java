package io.realtime.server.http;

import java.io.IOException;
import java.time.Duration;

import io.realtime.core.Broker;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpUpgradeHandler;
import jakarta.servlet.http.WebConnection;
import org.jspecify.annotations.Nullable;

/**
 * Takes an SSE stream's connection over from its request (a servlet upgrade answered with
 * {@code 200} and {@code Connection: close}), so the container recycles the request and its
 * buffers while the stream stays open, as it does for a WebSocket. Created by the container;
 * not for use by applications.
 *
 * @since 0.1.0
 */
public final class SseUpgradeHandler implements HttpUpgradeHandler {

	private @Nullable SseConnection connection;

	private @Nullable Broker broker;

	private @Nullable Batch start;

	private Duration sendTimeLimit = Duration.ZERO;

	/** Called by the container. */
	public SseUpgradeHandler() {
	}

	/** What to start once the container hands the connection over. */
	void prepare(SseConnection connection, Broker broker, Batch start, Duration sendTimeLimit) {
		this.connection = connection;
		this.broker = broker;
		this.start = start;
		this.sendTimeLimit = sendTimeLimit;
	}

	@Override
	public void init(WebConnection webConnection) {
		SseConnection connection = this.connection;
		if (connection == null || this.broker == null || this.start == null) {
			throw new IllegalStateException("upgraded without an SSE connection");
		}
		try {
			ServletInputStream in = webConnection.getInputStream();
			in.setReadListener(new EndOfStream(in, connection));
			ServletOutputStream out = webConnection.getOutputStream();
			DetachedWriteTimeout.apply(out, this.sendTimeLimit);
			connection.start(new ResponseOutput(out, connection::closed, webConnection), this.broker, this.start);
		}
		catch (IOException | RuntimeException ex) {
			connection.closed();
		}
		// only the connection is needed from here on
		this.broker = null;
		this.start = null;
	}

	@Override
	public void destroy() {
		if (this.connection != null) {
			this.connection.release();
		}
	}

	/** A client sends nothing on an SSE stream: reading only tells when it goes away. */
	private static final class EndOfStream implements ReadListener {

		private final ServletInputStream in;

		private final SseConnection connection;

		EndOfStream(ServletInputStream in, SseConnection connection) {
			this.in = in;
			this.connection = connection;
		}

		@Override
		public void onDataAvailable() throws IOException {
			byte[] ignored = new byte[256];
			while (this.in.isReady()) {
				if (this.in.read(ignored) == -1) {
					this.connection.closed();
					return;
				}
			}
		}

		@Override
		public void onAllDataRead() {
			this.connection.closed();
		}

		@Override
		public void onError(Throwable failure) {
			this.connection.closed();
		}

	}

}
