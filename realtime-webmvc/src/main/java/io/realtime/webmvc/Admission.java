package io.realtime.webmvc;

import java.security.Principal;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.realtime.core.Cursor;
import io.realtime.core.InvalidCursorException;
import io.realtime.core.MessageIds;
import io.realtime.core.Topics;
import io.realtime.webmvc.RealtimeException.Reason;
import org.jspecify.annotations.Nullable;

/**
 * The one place a client's request or frame is admitted, alike for every transport: topic and
 * cursor validation, the {@link RealtimeAuthorizationPolicy} and the per-client limits, in the
 * order the protocol fixes. Everything refused is a {@link RealtimeException}.
 *
 * @since 0.1.0
 */
public class Admission {

	/** The most messages a subscriber may rewind unless told otherwise. */
	public static final int DEFAULT_MAX_REWIND = 100;

	private final RealtimeAuthorizationPolicy policy;

	private final ClientLimits limits;

	private final int maxTopics;

	private final int maxMessageSize;

	private final int maxRewind;

	/**
	 * Create the admission.
	 * @param policy who may subscribe and publish where
	 * @param maxTopics the most topics one request or connection may subscribe to
	 * @param maxMessageSize the largest client message in bytes
	 * @param limits each client's share of connections and rates
	 */
	public Admission(RealtimeAuthorizationPolicy policy, int maxTopics, int maxMessageSize, ClientLimits limits) {
		this(policy, maxTopics, maxMessageSize, DEFAULT_MAX_REWIND, limits);
	}

	/**
	 * Create the admission.
	 * @param policy who may subscribe and publish where
	 * @param maxTopics the most topics one request or connection may subscribe to
	 * @param maxMessageSize the largest client message in bytes
	 * @param maxRewind the most messages a subscriber may ask for from before it starts
	 * @param limits each client's share of connections and rates
	 */
	public Admission(RealtimeAuthorizationPolicy policy, int maxTopics, int maxMessageSize, int maxRewind,
			ClientLimits limits) {
		if (maxRewind < 0) {
			throw new IllegalArgumentException("maxRewind must not be negative");
		}
		this.policy = policy;
		this.limits = limits;
		this.maxTopics = maxTopics;
		this.maxMessageSize = maxMessageSize;
		this.maxRewind = maxRewind;
	}

	/**
	 * The client a request or connection comes from, whose share every transport checks before
	 * anything else: refusing early costs least.
	 * @param principal the user, or {@code null}
	 * @param remoteAddress the remote address, the client when there is no user
	 * @return the client
	 */
	public ClientLimits.Client client(@Nullable Principal principal, @Nullable String remoteAddress) {
		return this.limits.client(principal, remoteAddress);
	}

	/**
	 * Admit the topics of an HTTP subscribe request.
	 * @param topics the requested topics, possibly with duplicates
	 * @param principal the user, or {@code null}
	 * @return the distinct topics in request order
	 */
	public Set<String> subscribe(@Nullable Collection<String> topics, @Nullable Principal principal) {
		if (topics == null || topics.isEmpty()) {
			throw new RealtimeException(Reason.BAD_REQUEST, "at least one topic is required");
		}
		Set<String> distinct = new LinkedHashSet<>();
		for (String topic : topics) {
			distinct.add(topic(topic));
		}
		checkTopicCount(distinct.size());
		for (String topic : distinct) {
			checkSubscribe(topic, principal);
		}
		return distinct;
	}

	/**
	 * Admit one more topic on a connection that holds others (a WebSocket subscribe).
	 * @param topic the requested topic
	 * @param principal the user, or {@code null}
	 * @param held the topics the connection holds
	 * @return the valid topic
	 */
	public String subscribe(@Nullable String topic, @Nullable Principal principal, Set<String> held) {
		String valid = topic(topic);
		checkSubscribe(valid, principal);
		if (!held.contains(valid)) {
			checkTopicCount(held.size() + 1);
		}
		return valid;
	}

	/**
	 * Admit a client publish's topic.
	 * @param topic the requested topic
	 * @param principal the user, or {@code null}
	 * @return the valid topic
	 */
	public String publish(@Nullable String topic, @Nullable Principal principal) {
		String valid = topic(topic);
		if (!this.policy.canPublish(principal, valid)) {
			throw new RealtimeException(Reason.FORBIDDEN, "publishing to '" + valid + "' is not allowed");
		}
		return valid;
	}

	/**
	 * Admit a request to see who is present on a topic (its members, or news of joins and
	 * leaves).
	 * @param topic a valid topic
	 * @param principal the user, or {@code null}
	 */
	public void seePresence(String topic, @Nullable Principal principal) {
		if (!this.policy.canSeePresence(principal, topic)) {
			throw new RealtimeException(Reason.FORBIDDEN, "seeing who is on '" + topic + "' is not allowed");
		}
	}

	/**
	 * Admit a client message's size.
	 * @param bytes its size in bytes, as sent
	 * @param what what the client sent, for the error: "body", "frame"
	 */
	public void checkSize(long bytes, String what) {
		if (bytes > this.maxMessageSize) {
			throw new RealtimeException(Reason.TOO_LARGE, what + " is larger than " + this.maxMessageSize + " bytes");
		}
	}

	/**
	 * A topic, or a {@code bad_request}.
	 * @param topic the candidate
	 * @return the valid topic
	 */
	public String topic(@Nullable String topic) {
		if (!Topics.isValid(topic)) {
			throw new RealtimeException(Reason.BAD_REQUEST, (topic == null || topic.isEmpty()) ? "topic is required"
					: "topic must be 1-128 characters from A-Z a-z 0-9 . _ - : /");
		}
		return topic;
	}

	/**
	 * A cursor, or a {@code bad_request}.
	 * @param cursor the candidate; {@code null} or empty for "now" on every topic
	 * @return the cursor
	 */
	public Cursor cursor(@Nullable String cursor) {
		if (cursor == null || cursor.isEmpty()) {
			return Cursor.empty();
		}
		try {
			return Cursor.parse(cursor);
		}
		catch (InvalidCursorException ex) {
			throw new RealtimeException(Reason.BAD_REQUEST, ex.getMessage());
		}
	}

	/**
	 * A message id to resume after, or a {@code bad_request}.
	 * @param id the candidate; {@code null} for "now"
	 * @return the id
	 */
	public @Nullable String since(@Nullable String id) {
		if (id != null && !MessageIds.isValid(id)) {
			throw new RealtimeException(Reason.BAD_REQUEST, "'since' is not a message id");
		}
		return id;
	}

	/**
	 * Per-topic positions sent as {@code since=<topic>=<message id>} query values, or a
	 * {@code bad_request}.
	 * @param values the values as sent, {@code null} for none
	 * @return the id to resume after, by topic
	 */
	public Map<String, String> sinceByTopic(@Nullable List<String> values) {
		if (values == null || values.isEmpty()) {
			return Map.of();
		}
		if (values.size() > this.maxTopics) {
			throw new RealtimeException(Reason.BAD_REQUEST, "too many 'since' values");
		}
		Map<String, String> positions = new LinkedHashMap<>();
		for (String value : values) {
			int eq = value.indexOf('=');
			String topic = (eq > 0) ? value.substring(0, eq) : null;
			String id = (eq > 0) ? value.substring(eq + 1) : null;
			if (!Topics.isValid(topic) || !MessageIds.isValid(id) || positions.put(topic, id) != null) {
				throw new RealtimeException(Reason.BAD_REQUEST,
						"'since' must be <topic>=<message id>, at most once per topic");
			}
		}
		return positions;
	}

	/**
	 * How many messages a subscriber asks for from before it starts, or a {@code bad_request}.
	 * @param rewind the candidate as sent: {@code null} or empty for none
	 * @return the count, 0 for none
	 */
	public int rewind(@Nullable String rewind) {
		if (rewind == null || rewind.isEmpty()) {
			return 0;
		}
		long count = MessageIds.parseCounter(rewind);
		return rewind(count);
	}

	/**
	 * How many messages a subscriber asks for from before it starts, or a {@code bad_request}.
	 * @param count the count asked for, negative for one that is not a whole number
	 * @return the count
	 */
	public int rewind(long count) {
		if (count < 0 || count > this.maxRewind) {
			throw new RealtimeException(Reason.BAD_REQUEST,
					"'rewind' must be a whole number from 0 to " + this.maxRewind);
		}
		return (int) count;
	}

	/** The largest client message in bytes. */
	public int maxMessageSize() {
		return this.maxMessageSize;
	}

	private void checkSubscribe(String topic, @Nullable Principal principal) {
		if (!this.policy.canSubscribe(principal, topic)) {
			throw new RealtimeException(Reason.FORBIDDEN, "subscribing to '" + topic + "' is not allowed");
		}
	}

	private void checkTopicCount(int count) {
		if (count > this.maxTopics) {
			throw new RealtimeException(Reason.BAD_REQUEST, "at most " + this.maxTopics + " topics per connection");
		}
	}

}
