package io.realtime.webmvc.websocket;

import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.realtime.core.Broker;
import io.realtime.core.BrokerUnavailableException;
import io.realtime.core.HistoryPage;
import io.realtime.core.Message;
import io.realtime.core.MessageListener;
import io.realtime.core.Presence;
import io.realtime.core.PresenceLimitException;
import io.realtime.core.PresenceListener;
import io.realtime.core.PresenceMember;
import io.realtime.core.Subscription;
import io.realtime.core.TopicLimitException;
import io.realtime.webmvc.Admission;
import io.realtime.webmvc.ClientLimits;
import io.realtime.webmvc.RealtimeException;
import io.realtime.webmvc.RealtimeException.Reason;
import io.realtime.webmvc.RealtimeMetrics;
import io.realtime.webmvc.RealtimePresence;
import io.realtime.webmvc.RealtimePublisher;
import io.realtime.webmvc.RefusalLog;
import io.realtime.webmvc.WireFormat;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.web.socket.CloseStatus;

/**
 * The protocol of one WebSocket connection: client frames decoded, admitted and dispatched
 * ({@code subscribe}, {@code unsubscribe}, {@code publish}, {@code ping}), the subscriptions they
 * make, and the replies, which go out through the connection's write path.
 */
final class WebSocketProtocol {

	private final WebSocketConnection connection;

	private final Broker broker;

	private final RealtimePublisher publisher;

	private final Admission admission;

	private final RealtimeMetrics metrics;

	private final JsonMapper jsonMapper;

	private final WireFormat wire;

	private final @Nullable Principal principal;

	private final ClientLimits.Client client;

	private final Map<String, Subscription> subscriptions = new ConcurrentHashMap<>();

	private final RealtimePresence presence;

	/** This connection's member id on the topics on which presence is on. */
	private final String memberId = RealtimePresence.connectionId();

	/** What makes this connection present on a topic, and its listener of the topic's news. */
	private final Map<String, Stay> stays = new ConcurrentHashMap<>();

	/** The parts of a frame larger than the container's buffer, only while one arrives. */
	private @Nullable StringBuilder parts;

	WebSocketProtocol(WebSocketConnection connection, Broker broker, RealtimePublisher publisher, Admission admission,
			RealtimeMetrics metrics, JsonMapper jsonMapper, WireFormat wire, @Nullable Principal principal,
			ClientLimits.Client client, RealtimePresence presence) {
		this.connection = connection;
		this.presence = presence;
		this.broker = broker;
		this.publisher = publisher;
		this.admission = admission;
		this.metrics = metrics;
		this.jsonMapper = jsonMapper;
		this.wire = wire;
		this.principal = principal;
		this.client = client;
		connection.onRelease(this::release);
	}

	/** A frame or part of one; frames arrive one at a time, so parts never interleave. */
	void receive(String payload, boolean last) {
		if (this.connection.isReleased()) {
			return;
		}
		if (last && this.parts == null) {
			receive(payload);
			return;
		}
		StringBuilder parts = (this.parts != null) ? this.parts : new StringBuilder(payload.length() * 2);
		if (parts.length() + payload.length() > frameLimit()) {
			// what the container does with a frame over its own limit
			this.parts = null;
			this.connection.close(CloseStatus.TOO_BIG_TO_PROCESS.withReason("frame too large"));
			return;
		}
		parts.append(payload);
		this.parts = last ? null : parts;
		if (last) {
			receive(parts.toString());
		}
	}

	/** A binary frame, which the protocol does not have. */
	void receiveBinary() {
		RealtimeException refusal = new RealtimeException(Reason.BAD_REQUEST, "frames must be JSON text");
		try {
			this.client.frame();
		}
		catch (RealtimeException ex) {
			refusal = ex;
		}
		error(refusal, null, null);
	}

	private void receive(String payload) {
		int size = byteLength(payload);
		JsonNode frame = null;
		try {
			// still under the container's limit, so cheap to read for the ref and topic a refusal echoes
			frame = readOrNull(payload);
			// every frame takes its share, also one refused below
			this.client.frame();
			this.admission.checkSize(size, "frame");
			// read again only to say what is wrong with it
			dispatch((frame != null) ? frame : read(payload));
		}
		catch (RealtimeException ex) {
			error(ex, (frame != null) ? ref(frame) : null, (frame != null) ? text(frame, "topic") : null);
		}
		catch (IllegalArgumentException ex) {
			error(new RealtimeException(Reason.BAD_REQUEST, ex.getMessage()), ref(frame), text(frame, "topic"));
		}
		catch (BrokerUnavailableException ex) {
			error(new RealtimeException(Reason.UNAVAILABLE, ex.getMessage()), ref(frame), text(frame, "topic"));
		}
		catch (TopicLimitException | PresenceLimitException ex) {
			error(new RealtimeException(Reason.OVER_CAPACITY, ex.getMessage()), ref(frame), text(frame, "topic"));
		}
	}

	private JsonNode read(String payload) {
		JsonNode frame;
		try {
			frame = this.jsonMapper.readTree(payload);
		}
		catch (JacksonException ex) {
			throw new RealtimeException(Reason.BAD_REQUEST, "frame is not valid JSON");
		}
		if (frame == null || !frame.isObject()) {
			throw new RealtimeException(Reason.BAD_REQUEST, "frame must be a JSON object");
		}
		return frame;
	}

	private @Nullable JsonNode readOrNull(String payload) {
		try {
			return read(payload);
		}
		catch (RealtimeException ex) {
			return null;
		}
	}

	private void dispatch(JsonNode frame) {
		String type = text(frame, "type");
		switch ((type != null) ? type : "") {
			case "subscribe" -> subscribe(frame);
			case "unsubscribe" -> unsubscribe(frame);
			case "publish" -> publish(frame);
			case "ping" -> this.connection.send(WireFormat.PONG);
			case "presence" -> members(frame);
			default -> throw new RealtimeException(Reason.BAD_REQUEST,
					(type == null) ? "frame needs a string 'type'" : "unknown frame type '" + type + "'");
		}
	}

	private void subscribe(JsonNode frame) {
		this.client.subscribe();
		String topic = this.admission.topic(text(frame, "topic"));
		JsonNode sinceNode = frame.get("since");
		String since = null;
		if (sinceNode != null && !sinceNode.isNull()) {
			since = this.admission.since(sinceNode.isString() ? sinceNode.asString() : "");
		}
		JsonNode cursorNode = frame.get("cursor");
		if (since == null && cursorNode != null && !cursorNode.isNull()) {
			// an HTTP cursor, so a client switching from HTTP resumes a topic it has had no message on
			since = this.admission.cursor(cursorNode.isString() ? cursorNode.asString() : "-").position(topic);
		}
		int rewind = rewind(frame.get("rewind"));
		this.admission.subscribe(topic, this.principal, this.subscriptions.keySet());
		boolean present = this.presence.isOn(topic);
		boolean news = flag(frame.get("presence"));
		String info = present ? this.presence.info(frame.get("info")) : null;
		if (present && news) {
			this.admission.seePresence(topic, this.principal);
		}
		if (since == null && rewind > 0) {
			// a position like any other: what follows it comes gap-free, by the same path as a resume
			since = this.broker.rewind(topic, rewind);
		}
		// resolve "now" to an id first, so the subscribed frame can tell the client where it stands;
		// a 'since' the broker refuses throws here, before the current subscription is touched
		HistoryPage start = this.broker.read(topic, since, 0);
		if (present) {
			// before subscribing: a topic full of members refuses the subscribe, which then holds nothing
			present(topic, info, news);
		}
		Subscription previous = this.subscriptions.remove(topic);
		if (previous != null) {
			previous.cancel();
			// read again once the old subscription is gone, so no message reaches the client twice
			start = this.broker.read(topic, since, 0);
		}
		boolean recovered = start.recovered();
		String position = start.position();
		Subscription subscription = this.broker.subscribe(topic, position, new MessageListener() {

			@Override
			public void onSubscribed(boolean live) {
				WebSocketProtocol.this.connection.send(
						WebSocketProtocol.this.wire.subscribed(topic, recovered && live, position));
			}

			@Override
			public void onMessage(Message message) {
				WebSocketProtocol.this.connection.deliver(WebSocketProtocol.this.wire.messageFrame(message));
			}

		});
		this.subscriptions.put(topic, subscription);
		if (this.connection.isReleased()) {
			subscription.cancel();
		}
	}

	/** How many messages a subscribe asks for from before it starts: a whole number, or none. */
	private int rewind(@Nullable JsonNode rewind) {
		if (rewind == null || rewind.isNull()) {
			return 0;
		}
		if (!rewind.isIntegralNumber() || !rewind.canConvertToLong()) {
			return this.admission.rewind(-1);
		}
		return this.admission.rewind(rewind.asLong());
	}

	private void unsubscribe(JsonNode frame) {
		String topic = this.admission.topic(text(frame, "topic"));
		Subscription subscription = this.subscriptions.remove(topic);
		if (subscription != null) {
			subscription.cancel();
		}
		leave(topic);
		this.connection.send(this.wire.unsubscribed(topic));
	}

	/** Be present on a topic once, and hear its news while asked for. */
	private void present(String topic, @Nullable String info, boolean news) {
		Stay stay = this.stays.get(topic);
		if (stay == null) {
			stay = new Stay(this.presence.join(topic, this.memberId, this.principal, info));
			this.stays.put(topic, stay);
		}
		if (news && stay.listening == null) {
			stay.listening = this.presence.listen(topic, this.memberId, new PresenceListener() {

				@Override
				public void onJoin(String topic, PresenceMember member) {
					WebSocketProtocol.this.connection.send(WebSocketProtocol.this.wire.presenceChange(true, topic, member));
				}

				@Override
				public void onLeave(String topic, PresenceMember member) {
					WebSocketProtocol.this.connection.send(WebSocketProtocol.this.wire.presenceChange(false, topic, member));
				}

			});
		}
		else if (!news && stay.listening != null) {
			stay.listening.close();
			stay.listening = null;
		}
		if (this.connection.isReleased()) {
			leave(topic);
		}
	}

	private void leave(String topic) {
		Stay stay = this.stays.remove(topic);
		if (stay != null) {
			stay.close();
		}
	}

	/** The {@code presence} frame: who is present on a topic. */
	private void members(JsonNode frame) {
		String topic = this.presence.requireOn(this.admission.topic(text(frame, "topic")));
		this.admission.seePresence(topic, this.principal);
		this.connection.send(this.wire.presence("presence", topic, this.presence.members(topic), ref(frame)));
	}

	/** A JSON boolean, or absent for {@code false}. */
	private static boolean flag(@Nullable JsonNode flag) {
		if (flag == null || flag.isNull()) {
			return false;
		}
		if (!flag.isBoolean()) {
			throw new RealtimeException(Reason.BAD_REQUEST, "'presence' must be true or false");
		}
		return flag.asBoolean();
	}

	private void publish(JsonNode frame) {
		this.client.publish();
		String topic = this.admission.publish(text(frame, "topic"), this.principal);
		JsonNode data = frame.get("data");
		if (data == null) {
			throw new RealtimeException(Reason.BAD_REQUEST, "publish needs 'data'");
		}
		Message message = this.publisher.publishJson(topic, data);
		this.connection.send(this.wire.published(message, ref(frame)));
	}

	private void error(RealtimeException ex, @Nullable String ref, @Nullable String topic) {
		this.metrics.rejected();
		RefusalLog.refused("WebSocket frame", ex.reason().code(), ex.getMessage());
		// the connection stays open: a rate_limited client waits retryAfter and goes on
		this.connection.send(this.wire.error(ex.reason().code(), ex.getMessage(), ref, topic, ex.retryAfter()));
	}

	/** Cancel every subscription; the connection is gone. */
	private void release() {
		this.subscriptions.values().forEach(Subscription::cancel);
		this.subscriptions.clear();
		this.stays.keySet().forEach(this::leave);
	}

	/** The most characters a joined frame may reach before the connection is closed with 1009. */
	private int frameLimit() {
		// frames a little over the limit still reach us and get a too_large error frame
		return this.admission.maxMessageSize() * 2 + 1024;
	}

	/** A connection's stay on a topic on which presence is on. */
	private static final class Stay {

		private final Presence.Registration joined;

		private Presence.@Nullable Registration listening;

		Stay(Presence.Registration joined) {
			this.joined = joined;
		}

		void close() {
			if (this.listening != null) {
				this.listening.close();
			}
			this.joined.close();
		}

	}

	private static int byteLength(String text) {
		// ASCII is the common case; multi-byte text is counted exactly
		for (int i = 0; i < text.length(); i++) {
			if (text.charAt(i) >= 0x80) {
				return text.getBytes(StandardCharsets.UTF_8).length;
			}
		}
		return text.length();
	}

	private static @Nullable String ref(@Nullable JsonNode frame) {
		JsonNode ref = (frame != null) ? frame.get("ref") : null;
		return (ref != null && ref.isValueNode() && !ref.isNull()) ? ref.asString() : null;
	}

	private static @Nullable String text(@Nullable JsonNode frame, String field) {
		JsonNode node = (frame != null) ? frame.get(field) : null;
		return (node != null && node.isString()) ? node.asString() : null;
	}

}
