package io.realtime.core;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@link Presence} of one application instance, in its memory. Listeners are called on the
 * thread that joins or leaves, under the topic's lock, so every listener sees a topic's news in
 * one order.
 *
 * @since 0.1.0
 */
public final class InMemoryPresence implements Presence {

	/** Members one topic holds unless told otherwise. */
	public static final int DEFAULT_MAX_MEMBERS = 1000;

	private final Map<String, TopicPresence> topics = new ConcurrentHashMap<>();

	private final int maxMembers;

	/** Create a presence holding up to {@link #DEFAULT_MAX_MEMBERS} members per topic. */
	public InMemoryPresence() {
		this(DEFAULT_MAX_MEMBERS);
	}

	/**
	 * Create a presence.
	 * @param maxMembers the most members one topic holds, at least 1
	 */
	public InMemoryPresence(int maxMembers) {
		if (maxMembers < 1) {
			throw new IllegalArgumentException("maxMembers must be at least 1");
		}
		this.maxMembers = maxMembers;
	}

	@Override
	public Registration join(String topic, PresenceMember member) {
		Topics.requireValid(topic);
		Objects.requireNonNull(member, "member must not be null");
		TopicPresence presence = enter(topic);
		try {
			synchronized (presence) {
				if (presence.members.containsKey(member.id())) {
					throw new IllegalStateException("'" + member.id() + "' is present on '" + topic + "' already");
				}
				if (presence.members.size() >= this.maxMembers) {
					throw new PresenceLimitException(
							"'" + topic + "' holds " + this.maxMembers + " members already, try again later");
				}
				presence.members.put(member.id(), member);
				presence.listeners.forEach((listener) -> listener.onJoin(topic, member));
			}
		}
		catch (RuntimeException ex) {
			exit(topic, presence);
			throw ex;
		}
		return once(() -> {
			synchronized (presence) {
				if (presence.members.remove(member.id()) != null) {
					presence.listeners.forEach((listener) -> listener.onLeave(topic, member));
				}
			}
			exit(topic, presence);
		});
	}

	@Override
	public List<PresenceMember> members(String topic) {
		Topics.requireValid(topic);
		TopicPresence presence = this.topics.get(topic);
		if (presence == null) {
			return List.of();
		}
		synchronized (presence) {
			return List.copyOf(presence.members.values());
		}
	}

	@Override
	public Registration listen(String topic, PresenceListener listener) {
		Topics.requireValid(topic);
		Objects.requireNonNull(listener, "listener must not be null");
		TopicPresence presence = enter(topic);
		synchronized (presence) {
			presence.listeners.add(listener);
		}
		return once(() -> {
			synchronized (presence) {
				presence.listeners.remove(listener);
			}
			exit(topic, presence);
		});
	}

	/** The number of topics with members or listeners. */
	int topicCount() {
		return this.topics.size();
	}

	/** Hold a topic's state, so it is not dropped meanwhile. */
	private TopicPresence enter(String topic) {
		return this.topics.compute(topic, (key, held) -> {
			TopicPresence presence = (held != null) ? held : new TopicPresence();
			synchronized (presence) {
				presence.holders++;
			}
			return presence;
		});
	}

	/** Let go of a topic's state, dropping it with its last holder. */
	private void exit(String topic, TopicPresence presence) {
		this.topics.computeIfPresent(topic, (key, held) -> {
			synchronized (held) {
				return (held == presence && --held.holders == 0) ? null : held;
			}
		});
	}

	private static Registration once(Runnable action) {
		AtomicBoolean closed = new AtomicBoolean();
		return () -> {
			if (closed.compareAndSet(false, true)) {
				action.run();
			}
		};
	}

	/** The members and listeners of one topic, guarded by itself. */
	private static final class TopicPresence {

		private final Map<String, PresenceMember> members = new LinkedHashMap<>();

		private final List<PresenceListener> listeners = new ArrayList<>();

		/** Members and listeners, and joins in progress. */
		private int holders;

	}

}
