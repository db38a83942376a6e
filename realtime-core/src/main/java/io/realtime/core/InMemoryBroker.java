package io.realtime.core;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import org.jspecify.annotations.Nullable;

/**
 * A {@link Broker} for one JVM. Each topic keeps a bounded history (by count and age) and its
 * subscribers; a publish appends and hands the message to every subscriber's non-blocking
 * listener under the topic's lock, which keeps topic order across concurrent publishers.
 *
 * <p>Ids look like {@code <epoch>.<sequence>} (see {@link MessageIds}): the epoch is random per
 * topic log, so ids from an earlier run (or a log that was dropped) are recognized and answered
 * with a reset, never mistaken for current ones.
 *
 * @since 0.1.0
 */
public final class InMemoryBroker implements Broker {

	private final Map<String, TopicLog> topics = new ConcurrentHashMap<>();

	private final AtomicLong subscriptions = new AtomicLong();

	private final int historySize;

	private final long historyTtlMillis;

	private final Clock clock;

	private volatile long lastEviction;

	/**
	 * Create a broker that keeps 1,000 messages per topic for 5 minutes.
	 */
	public InMemoryBroker() {
		this(1000, Duration.ofMinutes(5), Clock.systemUTC());
	}

	/**
	 * Create a broker.
	 * @param historySize the most messages kept per topic, at least 1
	 * @param historyTtl how long a message stays in history, positive
	 * @param clock the clock that stamps messages and ages history
	 */
	public InMemoryBroker(int historySize, Duration historyTtl, Clock clock) {
		if (historySize < 1) {
			throw new IllegalArgumentException("historySize must be at least 1");
		}
		if (historyTtl.isNegative() || historyTtl.isZero()) {
			throw new IllegalArgumentException("historyTtl must be positive");
		}
		this.historySize = historySize;
		this.historyTtlMillis = historyTtl.toMillis();
		this.clock = Objects.requireNonNull(clock, "clock must not be null");
		this.lastEviction = clock.millis();
	}

	@Override
	public Message publish(String topic, String data) {
		Objects.requireNonNull(data, "data must not be null");
		while (true) {
			Message message = log(topic).append(data);
			if (message != null) {
				return message;
			}
		}
	}

	@Override
	public HistoryPage read(String topic, @Nullable String after, int limit) {
		if (limit < 0) {
			throw new IllegalArgumentException("limit must not be negative");
		}
		while (true) {
			HistoryPage page = log(topic).read(after, limit);
			if (page != null) {
				return page;
			}
		}
	}

	@Override
	public Subscription subscribe(String topic, @Nullable String after, MessageListener listener) {
		Objects.requireNonNull(listener, "listener must not be null");
		while (true) {
			Subscription subscription = log(topic).subscribe(after, listener);
			if (subscription != null) {
				return subscription;
			}
		}
	}

	@Override
	public long subscriptionCount() {
		return this.subscriptions.get();
	}

	/**
	 * The number of topics this broker holds a log for.
	 * @return the count
	 */
	public int topicCount() {
		return this.topics.size();
	}

	/**
	 * Drop the logs of topics that have no subscriber, no message in history and no access for
	 * longer than the history's age, so clients cannot grow memory by inventing topic names. A
	 * client resuming a dropped topic is answered with a reset. Runs by itself at most once per
	 * history age, when a new topic appears.
	 */
	public void evictIdleTopics() {
		long now = this.clock.millis();
		this.lastEviction = now;
		for (TopicLog log : this.topics.values()) {
			if (log.retireIfIdle(now)) {
				this.topics.remove(log.topic(), log);
			}
		}
	}

	private TopicLog log(String topic) {
		TopicLog log = (topic != null) ? this.topics.get(topic) : null;
		if (log != null) {
			return log;
		}
		if (this.clock.millis() - this.lastEviction > this.historyTtlMillis) {
			evictIdleTopics();
		}
		return this.topics.computeIfAbsent(Topics.requireValid(topic), this::newLog);
	}

	private TopicLog newLog(String topic) {
		return new TopicLog(topic, this.historySize, this.historyTtlMillis, this.clock, this.subscriptions);
	}

}
