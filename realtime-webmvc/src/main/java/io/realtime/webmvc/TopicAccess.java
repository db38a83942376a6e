package io.realtime.webmvc;

import java.security.Principal;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Set;

import io.realtime.core.Topics;
import io.realtime.webmvc.RealtimeException.Reason;
import org.jspecify.annotations.Nullable;

/**
 * Validates topics and asks the {@link RealtimeAuthorizationPolicy}, in the order the protocol
 * fixes, for every transport alike.
 *
 * @since 0.1.0
 */
public class TopicAccess {

	private final RealtimeAuthorizationPolicy policy;

	private final int maxTopics;

	public TopicAccess(RealtimeAuthorizationPolicy policy, int maxTopics) {
		this.policy = policy;
		this.maxTopics = maxTopics;
	}

	/**
	 * Check the topics of a subscribe request.
	 * @param topics the requested topics, possibly with duplicates
	 * @param principal the user, or {@code null}
	 * @return the distinct topics in request order
	 * @throws RealtimeException when a topic is missing, malformed or refused
	 */
	public Set<String> subscribe(@Nullable Collection<String> topics, @Nullable Principal principal) {
		if (topics == null || topics.isEmpty()) {
			throw new RealtimeException(Reason.BAD_REQUEST, "at least one topic is required");
		}
		Set<String> distinct = new LinkedHashSet<>();
		for (String topic : topics) {
			distinct.add(valid(topic));
		}
		if (distinct.size() > this.maxTopics) {
			throw new RealtimeException(Reason.BAD_REQUEST, "at most " + this.maxTopics + " topics per connection");
		}
		for (String topic : distinct) {
			checkSubscribe(topic, principal);
		}
		return distinct;
	}

	/**
	 * Check one topic for subscribing.
	 * @param topic the topic, already valid
	 * @param principal the user, or {@code null}
	 */
	public void checkSubscribe(String topic, @Nullable Principal principal) {
		if (!this.policy.canSubscribe(principal, topic)) {
			throw new RealtimeException(Reason.FORBIDDEN, "subscribing to '" + topic + "' is not allowed");
		}
	}

	/**
	 * Check a topic for a client publish.
	 * @param topic the requested topic
	 * @param principal the user, or {@code null}
	 * @return the valid topic
	 */
	public String publish(@Nullable String topic, @Nullable Principal principal) {
		String valid = valid(topic);
		if (!this.policy.canPublish(principal, valid)) {
			throw new RealtimeException(Reason.FORBIDDEN, "publishing to '" + valid + "' is not allowed");
		}
		return valid;
	}

	/**
	 * A topic, or a {@code bad_request}.
	 * @param topic the candidate
	 * @return the valid topic
	 */
	public String valid(@Nullable String topic) {
		if (!Topics.isValid(topic)) {
			throw new RealtimeException(Reason.BAD_REQUEST, (topic == null || topic.isEmpty()) ? "topic is required"
					: "topic must be 1-128 characters from A-Z a-z 0-9 . _ - : /");
		}
		return topic;
	}

	/** The most topics one connection may subscribe to. */
	public int maxTopics() {
		return this.maxTopics;
	}

}
