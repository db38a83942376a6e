package io.realtime.webmvc.websocket;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.realtime.core.BrokerUnavailableException;
import io.realtime.core.HistoryPage;
import io.realtime.core.Message;
import io.realtime.core.MessageIds;
import io.realtime.core.MessageListener;
import io.realtime.core.Subscription;
import io.realtime.webmvc.Outbox;
import io.realtime.webmvc.RealtimeConnection;
import io.realtime.webmvc.RealtimeException;
import io.realtime.webmvc.websocket.RealtimeWebSocketHandler.MessageFrame;
import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.SendHandler;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.PingMessage;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.adapter.NativeWebSocketSession;

/**
 * One WebSocket session: its frames in, its subscriptions, and its single bounded write path.
 */
final class WebSocketConnection implements RealtimeConnection, Outbox.Writer<Object> {

	static final String TRANSPORT = "websocket";

	/** Sent to a client that could not keep up: it reconnects and resumes with {@code since}. */
	static final CloseStatus SLOW_CONSUMER = new CloseStatus(1013, "slow consumer");

	private static final CloseStatus NO_PONG = new CloseStatus(1001, "ping timeout");

	private static final String TOMCAT_SEND_TIMEOUT = "org.apache.tomcat.websocket.BLOCKING_SEND_TIMEOUT";

	/** Tomcat gives a close with a code other than 1000 only 50 ms to be written unless told. */
	private static final String TOMCAT_CLOSE_TIMEOUT = "org.apache.tomcat.websocket.ABNORMAL_SESSION_CLOSE_SEND_TIMEOUT";

	private final WebSocketSession session;

	private final RealtimeWebSocketHandler handler;

	private final Outbox<Object> outbox;

	private final Map<String, Subscription> subscriptions = new ConcurrentHashMap<>();

	/** Non-blocking sends when the container offers them (it does on Tomcat, Jetty, Undertow). */
	private volatile RemoteEndpoint.@Nullable Async async;

	/** Whether frames are batched and flushed by {@link #flush}. */
	private volatile boolean batching;

	/** Pings sent since the last pong; only the heartbeat timer counts up. */
	private volatile int unansweredPings;

	private volatile boolean released;

	/** The parts of a frame larger than the container's buffer, only while one arrives. */
	private @Nullable StringBuilder parts;

	WebSocketConnection(WebSocketSession session, RealtimeWebSocketHandler handler) {
		this.session = session;
		this.handler = handler;
		this.outbox = new Outbox<>(handler.connections().writers(), handler.settings().sendBufferBytes(), this);
	}

	void start() {
		if (this.session instanceof NativeWebSocketSession nativeSession) {
			jakarta.websocket.Session standard = nativeSession.getNativeSession(jakarta.websocket.Session.class);
			if (standard != null) {
				long timeout = this.handler.settings().sendTimeLimit().toMillis();
				standard.getUserProperties().put(TOMCAT_SEND_TIMEOUT, timeout);
				standard.getUserProperties().put(TOMCAT_CLOSE_TIMEOUT, timeout);
				RemoteEndpoint.Async async = standard.getAsyncRemote();
				async.setSendTimeout(timeout);
				if (PreEncodedText.isAvailable(async)) {
					try {
						// frames collect in the container's buffer until the outbox runs dry
						async.setBatchingAllowed(true);
						this.batching = true;
					}
					catch (IOException ex) {
						// not batching then
					}
				}
				this.async = async;
			}
		}
	}

	/** A frame or part of one; frames arrive one at a time, so parts never interleave. */
	void receive(String payload, boolean last) {
		if (this.released) {
			return;
		}
		if (last && this.parts == null) {
			receive(payload);
			return;
		}
		StringBuilder parts = (this.parts != null) ? this.parts : new StringBuilder(payload.length() * 2);
		if (parts.length() + payload.length() > this.handler.frameLimit()) {
			// what the container does with a frame over its own limit
			this.parts = null;
			close(CloseStatus.TOO_BIG_TO_PROCESS.withReason("frame too large"));
			return;
		}
		parts.append(payload);
		this.parts = last ? null : parts;
		if (last) {
			receive(parts.toString());
		}
	}

	void receive(String payload) {
		if (RealtimeWebSocketHandler.byteLength(payload) > this.handler.settings().maxMessageSize()) {
			// still under the container's limit, so cheap to read for the ref and topic to echo
			JsonNode frame = readObject(payload);
			error("too_large", "frame is larger than " + this.handler.settings().maxMessageSize() + " bytes",
					(frame != null) ? ref(frame) : null, (frame != null) ? text(frame, "topic") : null);
			return;
		}
		JsonNode frame;
		try {
			frame = this.handler.jsonMapper().readTree(payload);
		}
		catch (JacksonException ex) {
			error("bad_request", "frame is not valid JSON", null);
			return;
		}
		if (frame == null || !frame.isObject()) {
			error("bad_request", "frame must be a JSON object", null);
			return;
		}
		String ref = ref(frame);
		String type = text(frame, "type");
		String topic = text(frame, "topic");
		try {
			switch ((type != null) ? type : "") {
				case "subscribe" -> subscribe(frame);
				case "unsubscribe" -> unsubscribe(frame);
				case "publish" -> publish(frame, ref);
				case "ping" -> send("{\"type\":\"pong\"}");
				default -> error("bad_request", (type == null) ? "frame needs a string 'type'"
						: "unknown frame type '" + type + "'", ref, topic);
			}
		}
		catch (RealtimeException ex) {
			error(ex.reason().code(), ex.getMessage(), ref, topic);
		}
		catch (IllegalArgumentException ex) {
			error("bad_request", ex.getMessage(), ref, topic);
		}
		catch (BrokerUnavailableException ex) {
			error("internal", ex.getMessage(), ref, topic);
		}
	}

	private void subscribe(JsonNode frame) {
		String topic = this.handler.access().valid(text(frame, "topic"));
		JsonNode sinceNode = frame.get("since");
		String since = null;
		if (sinceNode != null && !sinceNode.isNull()) {
			since = sinceNode.isString() ? sinceNode.asString() : null;
			if (!MessageIds.isValid(since)) {
				throw new IllegalArgumentException("'since' is not a message id");
			}
		}
		this.handler.access().checkSubscribe(topic, this.session.getPrincipal());
		if (!this.subscriptions.containsKey(topic) && this.subscriptions.size() >= this.handler.access().maxTopics()) {
			throw new IllegalArgumentException("at most " + this.handler.access().maxTopics() + " topics per connection");
		}
		// resolve "now" to an id first, so the subscribed frame can tell the client where it stands;
		// a 'since' the broker refuses throws here, before the current subscription is touched
		HistoryPage start = this.handler.broker().read(topic, since, 0);
		Subscription previous = this.subscriptions.remove(topic);
		if (previous != null) {
			previous.cancel();
			// read again once the old subscription is gone, so no message reaches the client twice
			start = this.handler.broker().read(topic, since, 0);
		}
		Subscription subscription = this.handler.broker()
			.subscribe(topic, start.position(), new Listener(topic, start.recovered(), start.position()));
		this.subscriptions.put(topic, subscription);
		if (this.released) {
			subscription.cancel();
		}
	}

	private void unsubscribe(JsonNode frame) {
		String topic = this.handler.access().valid(text(frame, "topic"));
		Subscription subscription = this.subscriptions.remove(topic);
		if (subscription != null) {
			subscription.cancel();
		}
		send("{\"type\":\"unsubscribed\",\"topic\":\"" + topic + "\"}");
	}

	private void publish(JsonNode frame, @Nullable String ref) {
		String topic = this.handler.access().publish(text(frame, "topic"), this.session.getPrincipal());
		JsonNode data = frame.get("data");
		if (data == null) {
			throw new IllegalArgumentException("publish needs 'data'");
		}
		Message message = this.handler.publisher().publishJson(topic, data);
		Map<String, Object> reply = new LinkedHashMap<>();
		reply.put("type", "published");
		reply.put("topic", topic);
		reply.put("id", message.id());
		if (ref != null) {
			reply.put("ref", ref);
		}
		send(this.handler.jsonMapper().writeValueAsString(reply));
	}

	void error(String code, String text, @Nullable String ref) {
		error(code, text, ref, null);
	}

	private void error(String code, String text, @Nullable String ref, @Nullable String topic) {
		this.handler.metrics().rejected();
		Map<String, Object> reply = new LinkedHashMap<>();
		reply.put("type", "error");
		reply.put("code", code);
		reply.put("message", text);
		if (ref != null) {
			reply.put("ref", ref);
		}
		if (topic != null) {
			reply.put("topic", topic);
		}
		send(this.handler.jsonMapper().writeValueAsString(reply));
	}

	void pong() {
		this.unansweredPings = 0;
	}

	private void send(String json) {
		this.outbox.offer(new TextMessage(json), json.length());
	}

	private @Nullable JsonNode readObject(String payload) {
		try {
			JsonNode frame = this.handler.jsonMapper().readTree(payload);
			return (frame != null && frame.isObject()) ? frame : null;
		}
		catch (JacksonException ex) {
			return null;
		}
	}

	private static @Nullable String ref(JsonNode frame) {
		JsonNode ref = frame.get("ref");
		return (ref != null && ref.isValueNode() && !ref.isNull()) ? ref.asString() : null;
	}

	private static @Nullable String text(JsonNode frame, String field) {
		JsonNode node = frame.get(field);
		return (node != null && node.isString()) ? node.asString() : null;
	}

	@Override
	public String transport() {
		return TRANSPORT;
	}

	@Override
	public void heartbeat() {
		// a ping may wait behind a full outbox: close only after two unanswered intervals
		if (this.unansweredPings >= 2) {
			close(NO_PONG);
			return;
		}
		this.unansweredPings++;
		this.outbox.offer(new PingMessage(ByteBuffer.allocate(0)), 8);
	}

	@Override
	public void shutdown() {
		close(CloseStatus.GOING_AWAY);
	}

	@Override
	public void write(Object item, Runnable done) throws IOException {
		RemoteEndpoint.Async async = this.async;
		if (async != null && (item instanceof TextMessage || item instanceof MessageFrame)) {
			// no thread waits while a slow client's socket drains
			SendHandler handler = completion(done);
			if (item instanceof MessageFrame frame && PreEncodedText.isAvailable(async)) {
				PreEncodedText.send(async, frame.utf8(), handler);
			}
			else {
				async.sendText((item instanceof MessageFrame frame) ? frame.text() : ((TextMessage) item).getPayload(),
						handler);
			}
			return;
		}
		if (async != null && item instanceof PingMessage && this.batching) {
			// the standard ping waits for the socket: a slow client would hold a writer thread
			PreEncodedText.ping(async, completion(done));
			return;
		}
		this.session.sendMessage((item instanceof MessageFrame frame) ? new TextMessage(frame.text())
				: (WebSocketMessage<?>) item);
		done.run();
	}

	@Override
	public void flush(Runnable done) {
		RemoteEndpoint.Async async = this.async;
		if (this.batching && async != null) {
			PreEncodedText.flush(async, completion(done));
		}
		else {
			done.run();
		}
	}

	private SendHandler completion(Runnable done) {
		return (result) -> {
			if (result.isOK()) {
				done.run();
			}
			else {
				failed(new IOException("send failed", result.getException()));
			}
		};
	}

	@Override
	public void overflow() {
		this.handler.metrics().slowConsumer();
		close(SLOW_CONSUMER);
	}

	@Override
	public void failed(Exception ex) {
		close(CloseStatus.SERVER_ERROR);
	}

	private void close(CloseStatus status) {
		release();
		// off the caller's thread and off the writers: closing waits for a stalled client
		this.handler.connections().closers().execute(() -> {
			try {
				this.session.close(status);
			}
			catch (IOException | RuntimeException ex) {
				// already gone
			}
		});
	}

	void release() {
		if (this.released) {
			return;
		}
		this.released = true;
		this.outbox.close();
		this.subscriptions.values().forEach(Subscription::cancel);
		this.subscriptions.clear();
		this.handler.connections().closed(this);
	}

	private final class Listener implements MessageListener {

		private final String topic;

		private final boolean recovered;

		private final String position;

		Listener(String topic, boolean recovered, String position) {
			this.topic = topic;
			this.recovered = recovered;
			this.position = position;
		}

		@Override
		public void onSubscribed(boolean recovered) {
			send("{\"type\":\"subscribed\",\"topic\":\"" + this.topic + "\",\"recovered\":"
					+ (this.recovered && recovered) + ",\"position\":\"" + this.position + "\"}");
		}

		@Override
		public void onMessage(Message message) {
			if (WebSocketConnection.this.outbox.offer(WebSocketConnection.this.handler.frame(message),
					message.toJson().length() + 16)) {
				WebSocketConnection.this.handler.metrics().delivered();
			}
		}

	}

}
