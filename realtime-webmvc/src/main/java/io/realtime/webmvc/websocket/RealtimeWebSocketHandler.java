package io.realtime.webmvc.websocket;

import java.nio.charset.StandardCharsets;

import io.realtime.core.Broker;
import io.realtime.core.Message;
import io.realtime.webmvc.ConnectionRegistry;
import io.realtime.webmvc.RealtimeMetrics;
import io.realtime.webmvc.RealtimePublisher;
import io.realtime.webmvc.TopicAccess;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.web.socket.BinaryMessage;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.PongMessage;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.WebSocketMessage;
import org.springframework.web.socket.WebSocketSession;

/**
 * {@code {base}/ws}: JSON frames to subscribe, unsubscribe, publish and ping over one
 * connection. Every write to a session goes through that connection's bounded
 * {@link io.realtime.webmvc.Outbox}.
 *
 * @since 0.1.0
 */
public class RealtimeWebSocketHandler implements WebSocketHandler {

	private static final String CONNECTION = "realtime.connection";

	/** Characters the container buffers per connection while it decodes a frame. */
	private static final int TEXT_BUFFER_CHARS = 1024;

	private final Broker broker;

	private final RealtimePublisher publisher;

	private final TopicAccess access;

	private final ConnectionRegistry connections;

	private final RealtimeMetrics metrics;

	private final JsonMapper jsonMapper;

	private final WebSocketSettings settings;

	/** The frame of the message most recently fanned out, shared by all its subscribers. */
	private volatile @Nullable MessageFrame lastFrame;

	public RealtimeWebSocketHandler(Broker broker, RealtimePublisher publisher, TopicAccess access,
			ConnectionRegistry connections, RealtimeMetrics metrics, JsonMapper jsonMapper,
			WebSocketSettings settings) {
		this.broker = broker;
		this.publisher = publisher;
		this.access = access;
		this.connections = connections;
		this.metrics = metrics;
		this.jsonMapper = jsonMapper;
		this.settings = settings;
		connections.heartbeat(WebSocketConnection.TRANSPORT, settings.pingInterval());
	}

	@Override
	public void afterConnectionEstablished(WebSocketSession session) throws Exception {
		// Tomcat swaps in a buffer of this size at the next frame: 2 KB instead of 16 KB per
		// connection; larger frames arrive in parts (see supportsPartialMessages)
		session.setTextMessageSizeLimit(TEXT_BUFFER_CHARS);
		WebSocketConnection connection = new WebSocketConnection(session, this);
		if (!this.connections.open(connection)) {
			session.close(CloseStatus.SERVICE_OVERLOAD.withReason("connection limit reached"));
			return;
		}
		session.getAttributes().put(CONNECTION, connection);
		connection.start();
	}

	@Override
	public void handleMessage(WebSocketSession session, WebSocketMessage<?> message) {
		WebSocketConnection connection = connection(session);
		if (connection == null) {
			return;
		}
		if (message instanceof TextMessage text) {
			connection.receive(text.getPayload(), text.isLast());
		}
		else if (message instanceof PongMessage) {
			connection.pong();
		}
		else if (message instanceof BinaryMessage binary && binary.isLast()) {
			connection.error("bad_request", "frames must be JSON text", null);
		}
	}

	@Override
	public void handleTransportError(WebSocketSession session, Throwable exception) {
		WebSocketConnection connection = connection(session);
		if (connection != null) {
			connection.release();
		}
	}

	@Override
	public void afterConnectionClosed(WebSocketSession session, CloseStatus closeStatus) {
		WebSocketConnection connection = connection(session);
		if (connection != null) {
			connection.release();
		}
	}

	/**
	 * Partial messages keep the container's message buffer at its small default: asking it for
	 * whole frames up to our limit would make it hold a buffer of that size (two bytes per
	 * character) for every connection that ever sent a frame. The rare frame larger than the
	 * buffer is joined by the connection.
	 */
	@Override
	public boolean supportsPartialMessages() {
		return true;
	}

	/** The most characters a joined frame may reach before the connection is closed with 1009. */
	int frameLimit() {
		// frames a little over the limit still reach us and get a too_large error frame
		return this.settings.maxMessageSize() * 2 + 1024;
	}

	private static @Nullable WebSocketConnection connection(WebSocketSession session) {
		return (WebSocketConnection) session.getAttributes().get(CONNECTION);
	}

	MessageFrame frame(Message message) {
		MessageFrame frame = this.lastFrame;
		if (frame == null || frame.message() != message) {
			String text = "{\"type\":\"message\"," + message.toJson().substring(1);
			frame = new MessageFrame(message, text, text.getBytes(StandardCharsets.UTF_8));
			this.lastFrame = frame;
		}
		return frame;
	}

	static int byteLength(String text) {
		// ASCII is the common case; multi-byte text is counted exactly
		for (int i = 0; i < text.length(); i++) {
			if (text.charAt(i) >= 0x80) {
				return text.getBytes(StandardCharsets.UTF_8).length;
			}
		}
		return text.length();
	}

	Broker broker() {
		return this.broker;
	}

	RealtimePublisher publisher() {
		return this.publisher;
	}

	TopicAccess access() {
		return this.access;
	}

	ConnectionRegistry connections() {
		return this.connections;
	}

	RealtimeMetrics metrics() {
		return this.metrics;
	}

	JsonMapper jsonMapper() {
		return this.jsonMapper;
	}

	WebSocketSettings settings() {
		return this.settings;
	}

	/** A message's frame, as text and as UTF-8 encoded once for every subscriber. */
	record MessageFrame(Message message, String text, byte[] utf8) {
	}

}
