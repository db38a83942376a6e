package io.realtime.webmvc.websocket;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledFuture;

import io.realtime.webmvc.ConnectionRegistry;
import io.realtime.webmvc.Outbox;
import io.realtime.webmvc.RealtimeConnection;
import io.realtime.webmvc.RealtimeMetrics;
import io.realtime.webmvc.WireFormat;
import io.realtime.webmvc.container.ContainerFastPaths;
import io.realtime.webmvc.container.PreEncodedFrames;
import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.SendHandler;
import org.jspecify.annotations.Nullable;

import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.adapter.NativeWebSocketSession;
import org.springframework.web.socket.PingMessage;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketMessage;
import org.springframework.web.socket.WebSocketSession;

/**
 * The write path of one WebSocket session: every frame goes through one bounded {@link Outbox},
 * sent without blocking where the container offers an asynchronous remote, and the session is
 * closed when the client cannot keep up or stops answering pings.
 */
final class WebSocketConnection implements RealtimeConnection, Outbox.Writer<WebSocketConnection.Item> {

	static final String TRANSPORT = "websocket";

	/** Sent to a client that could not keep up: it reconnects and resumes with {@code since}. */
	static final CloseStatus SLOW_CONSUMER = new CloseStatus(1013, "slow consumer");

	private static final CloseStatus NO_PONG = new CloseStatus(1001, "ping timeout");

	private static final String TOMCAT_SEND_TIMEOUT = "org.apache.tomcat.websocket.BLOCKING_SEND_TIMEOUT";

	/** Tomcat gives a close with a code other than 1000 only 50 ms to be written unless told. */
	private static final String TOMCAT_CLOSE_TIMEOUT = "org.apache.tomcat.websocket.ABNORMAL_SESSION_CLOSE_SEND_TIMEOUT";

	private final WebSocketSession session;

	private final ConnectionRegistry connections;

	private final RealtimeMetrics metrics;

	private final ContainerFastPaths fastPaths;

	private final WebSocketSettings settings;

	private final Outbox<Item> outbox;

	private final CopyOnWriteArrayList<Runnable> releaseActions = new CopyOnWriteArrayList<>();

	/** Non-blocking sends when the container offers them (it does on Tomcat, Jetty, Undertow). */
	private volatile RemoteEndpoint.@Nullable Async async;

	/** The send handler completing the outbox's writes, and the callback it runs; drain loop only. */
	private @Nullable SendHandler completion;

	private @Nullable Runnable completionOf;

	/** Frames from bytes, collected until the outbox runs dry, where the container's fast path has them. */
	private volatile @Nullable PreEncodedFrames frames;

	/** Pings written since the last pong; only the writer counts up. */
	private volatile int unansweredPings;

	/** Whether a ping waits in the outbox: one behind a backlog is not the client's delay. */
	private volatile boolean pingQueued;

	private volatile boolean released;

	WebSocketConnection(WebSocketSession session, ConnectionRegistry connections, RealtimeMetrics metrics,
			ContainerFastPaths fastPaths, WebSocketSettings settings) {
		this.session = session;
		this.connections = connections;
		this.metrics = metrics;
		this.fastPaths = fastPaths;
		this.settings = settings;
		this.outbox = new Outbox<>(connections.writers(), settings.sendBufferBytes(), this);
	}

	/** Set up the session's sending once it is open. */
	void start() {
		if (!(this.session instanceof NativeWebSocketSession nativeSession)) {
			return;
		}
		jakarta.websocket.Session standard = nativeSession.getNativeSession(jakarta.websocket.Session.class);
		if (standard == null) {
			return;
		}
		long timeout = this.settings.sendTimeLimit().toMillis();
		standard.getUserProperties().put(TOMCAT_SEND_TIMEOUT, timeout);
		standard.getUserProperties().put(TOMCAT_CLOSE_TIMEOUT, timeout);
		RemoteEndpoint.Async async = standard.getAsyncRemote();
		async.setSendTimeout(timeout);
		this.frames = this.fastPaths.preEncodedFrames(async, this.settings.sendTimeLimit());
		this.async = async;
	}

	/** Run an action once the connection is released. */
	void onRelease(Runnable action) {
		this.releaseActions.add(action);
	}

	/**
	 * Queue a message's frame.
	 * @return {@code false} when the connection is closed or just overflowed
	 */
	boolean deliver(WireFormat.Frame frame) {
		if (this.outbox.offer(new Text(frame), frame.unmasked().length)) {
			this.metrics.delivered();
			return true;
		}
		return false;
	}

	/** Queue a reply frame. */
	void send(String json) {
		WireFormat.Frame frame = WireFormat.textFrame(json);
		this.outbox.offer(new Text(frame), frame.unmasked().length);
	}

	void pong() {
		this.unansweredPings = 0;
	}

	boolean isReleased() {
		return this.released;
	}

	@Override
	public String transport() {
		return TRANSPORT;
	}

	@Override
	public void heartbeat() {
		// pings count once written: a backlog the client cannot take is the outbox's to close (1013)
		if (this.unansweredPings >= 2) {
			close(NO_PONG);
			return;
		}
		if (!this.pingQueued) {
			this.pingQueued = true;
			this.outbox.offer(Ping.INSTANCE, 8);
		}
	}

	@Override
	public void shutdown() {
		close(CloseStatus.GOING_AWAY);
	}

	@Override
	public void write(Item item, Runnable done) {
		RemoteEndpoint.Async async = this.async;
		PreEncodedFrames frames = this.frames;
		if (item instanceof Text text) {
			if (frames != null) {
				frames.send(text.frame().unmasked(), completion(done));
			}
			else if (async != null) {
				// no thread waits while a slow client's socket drains
				async.sendText(text.frame().text(), completion(done));
			}
			else {
				sendBlocking(new TextMessage(text.frame().text()), done);
			}
		}
		else {
			this.pingQueued = false;
			this.unansweredPings++;
			if (frames != null) {
				// the standard ping waits for the socket: a slow client would hold a writer thread
				frames.ping(completion(done));
			}
			else {
				sendBlocking(new PingMessage(ByteBuffer.allocate(0)), done);
			}
		}
	}

	/**
	 * Send with Spring's session API, which waits for the client's socket: off the writers, so a
	 * stalled client holds up no one else (on containers whose sessions are not Jakarta's, such
	 * as Jetty's own).
	 */
	private void sendBlocking(WebSocketMessage<?> message, Runnable done) {
		this.connections.blocking().execute(() -> {
			// the container may wait far longer for a client that stopped reading (Jetty until
			// its idle timeout): the connection ends at the send time limit
			ScheduledFuture<?> limit = this.connections.schedule(() -> close(SLOW_CONSUMER),
					this.settings.sendTimeLimit());
			try {
				this.session.sendMessage(message);
			}
			catch (IOException | RuntimeException ex) {
				failed(new IOException("send failed", ex));
				return;
			}
			finally {
				limit.cancel(false);
			}
			done.run();
		});
	}

	@Override
	public void flush(Runnable done) {
		PreEncodedFrames frames = this.frames;
		if (frames != null) {
			frames.flush(completion(done));
		}
		else {
			done.run();
		}
	}

	private SendHandler completion(Runnable done) {
		// the outbox's done is the same for every write: one handler per connection, not per frame
		SendHandler handler = this.completion;
		if (handler == null || this.completionOf != done) {
			handler = (result) -> {
				if (result.isOK()) {
					done.run();
				}
				else {
					failed(new IOException("send failed", result.getException()));
				}
			};
			this.completionOf = done;
			this.completion = handler;
		}
		return handler;
	}

	@Override
	public void overflow() {
		this.metrics.slowConsumer();
		close(SLOW_CONSUMER);
	}

	@Override
	public void failed(Exception ex) {
		close(CloseStatus.SERVER_ERROR);
	}

	/** Release, then close the session without holding up the caller. */
	void close(CloseStatus status) {
		release();
		// off the caller's thread and off the writers: closing waits for a stalled client
		this.connections.blocking().execute(() -> {
			try {
				this.session.close(status);
			}
			catch (IOException | RuntimeException ex) {
				// already gone
			}
		});
	}

	/** Stop sending and forget the connection; safe to call more than once. */
	void release() {
		if (this.released) {
			return;
		}
		this.released = true;
		this.outbox.close();
		this.releaseActions.forEach(Runnable::run);
		this.connections.closed(this);
	}

	/** What the outbox carries to the session. */
	sealed interface Item permits Text, Ping {
	}

	/** A text frame: a message's, encoded once for every subscriber, or a reply. */
	record Text(WireFormat.Frame frame) implements Item {
	}

	/** A ping frame. */
	enum Ping implements Item {

		INSTANCE

	}

}
