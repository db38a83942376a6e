package io.realtime.core;

import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.jspecify.annotations.Nullable;

/**
 * A {@link Broker} for one JVM. Each topic keeps a bounded history (by count and age) and its
 * subscribers; a publish appends and hands the message to every subscriber's non-blocking
 * listener under the topic's lock, which keeps topic order across concurrent publishers.
 *
 * <p>Memory stays bounded whatever clients do: history across all topics is held under a total
 * of bytes (the globally oldest messages go first), reading a topic that has no message creates
 * nothing, a topic without messages goes with its last subscriber, and past a limit of live
 * topics a publish or subscribe that would create one throws {@link TopicLimitException}.
 *
 * <p>Ids look like {@code <epoch>.<sequence>} (see {@link MessageIds}): the epoch is random per
 * topic log, so ids from an earlier run (or a log that was dropped) are recognized and answered
 * with a reset, never mistaken for current ones. A topic without messages is positioned by the
 * broker's own epoch and the number of logs with messages dropped so far, so a resume that may
 * have missed such a log is answered with a reset too.
 *
 * @since 0.1.0
 */
public final class InMemoryBroker implements Broker {

	/** How often, at most, a new topic past the limit looks for idle topics to drop. */
	private static final long FULL_SWEEP_INTERVAL_MILLIS = 1000;

	private final Map<String, TopicLog> topics = new ConcurrentHashMap<>();

	/** Live logs, counted apart from the map so the limit holds exactly under concurrent creation. */
	private final AtomicInteger topicCount = new AtomicInteger();

	private final AtomicLong subscriptions = new AtomicLong();

	private final int historySize;

	private final long historyTtlMillis;

	private final Clock clock;

	private volatile int maxTopics = defaultMaxTopics();

	private volatile TopicLog.Context context;

	private volatile long lastEviction;

	private volatile long lastFullSweep;

	/**
	 * Create a broker that keeps 1,000 messages per topic for 5 minutes, with the default limits
	 * ({@link #defaultMaxTopics()}, {@link #defaultMaxHistoryBytes()}).
	 */
	public InMemoryBroker() {
		this(1000, Duration.ofMinutes(5), Clock.systemUTC());
	}

	/**
	 * Create a broker with the default limits ({@link #defaultMaxTopics()},
	 * {@link #defaultMaxHistoryBytes()}).
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
		this.context = context(defaultMaxHistoryBytes(), this.maxTopics);
		this.lastEviction = clock.millis();
	}

	/**
	 * The default limit of live topics: one per 16 KB of the maximum heap, at least 1,000 (32,768
	 * on a 512 MB heap). A topic log costs well under 1 KB besides its messages.
	 * @return the limit
	 */
	public static int defaultMaxTopics() {
		return (int) Math.min(Integer.MAX_VALUE, Math.max(1000, Runtime.getRuntime().maxMemory() / (16 * 1024)));
	}

	/**
	 * The default total of history: a quarter of the maximum heap.
	 * @return the bytes
	 */
	public static long defaultMaxHistoryBytes() {
		return Runtime.getRuntime().maxMemory() / 4;
	}

	/**
	 * Set the most topics that hold a log at once: topics with history or subscribers. Past it, a
	 * publish or subscribe that would create a topic throws {@link TopicLimitException}. Set it
	 * before the broker is used.
	 * @param maxTopics the limit, at least 1
	 */
	public void setMaxTopics(int maxTopics) {
		if (maxTopics < 1) {
			throw new IllegalArgumentException("maxTopics must be at least 1");
		}
		this.maxTopics = maxTopics;
		this.context = context(this.context.budget().maxBytes(), maxTopics);
	}

	/**
	 * Set the most bytes of history kept across every topic: a message counts its payload's
	 * characters plus about 128 bytes. Past it, the oldest messages of any topic are evicted. Set
	 * it before the broker is used.
	 * @param maxHistoryBytes the total, at least 1
	 */
	public void setMaxHistoryBytes(long maxHistoryBytes) {
		if (maxHistoryBytes < 1) {
			throw new IllegalArgumentException("maxHistoryBytes must be at least 1");
		}
		this.context = context(maxHistoryBytes, this.maxTopics);
	}

	@Override
	public Message publish(String topic, String data) {
		Objects.requireNonNull(data, "data must not be null");
		Message message;
		do {
			message = log(topic).append(data);
		}
		while (message == null);
		// outside the topic's lock: eviction takes other topics' locks
		this.context.budget().enforce(this.topics.values());
		return message;
	}

	@Override
	public HistoryPage read(String topic, @Nullable String after, int limit) {
		if (limit < 0) {
			throw new IllegalArgumentException("limit must not be negative");
		}
		while (true) {
			// the empty position is taken before the lookup, so a log dropped in between is not missed
			String now = this.context.emptyPositions().now();
			TopicLog log = this.topics.get(Topics.requireValid(topic));
			if (log == null) {
				return readAbsent(topic, after, now);
			}
			HistoryPage page = log.read(after, limit);
			if (page != null) {
				return page;
			}
		}
	}

	@Override
	public String rewind(String topic, int count) {
		if (count < 0) {
			throw new IllegalArgumentException("count must not be negative");
		}
		while (true) {
			String now = this.context.emptyPositions().now();
			TopicLog log = this.topics.get(Topics.requireValid(topic));
			if (log == null) {
				// nothing held: going back finds nothing
				return now;
			}
			String position = log.rewind(count);
			if (position != null) {
				return position;
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
	 * The number of topics this broker holds a log for: topics with history or subscribers.
	 * @return the count
	 */
	public int topicCount() {
		return this.topicCount.get();
	}

	/**
	 * The bytes of history held across every topic, as counted against the limit.
	 * @return the bytes
	 */
	public long historyBytes() {
		return this.context.budget().bytes();
	}

	/**
	 * Drop the logs of topics that have no subscriber, no message in history and no access for
	 * longer than the history's age. A client resuming a dropped topic is answered with a reset.
	 * Runs by itself at most once per history age, when a new topic appears.
	 */
	public void evictIdleTopics() {
		sweep(false);
	}

	/** A page of a topic that holds no log, without creating one. */
	private HistoryPage readAbsent(String topic, @Nullable String after, String now) {
		if (after == null) {
			return new HistoryPage(List.of(), true, now);
		}
		MessageIds.Parts parts = MessageIds.split(after);
		long since = (parts != null) ? MessageIds.parseCounter(parts.rest()) : -1;
		if (parts == null || since < 0) {
			throw new InvalidCursorException("'" + after + "' is not a message id of this broker");
		}
		EmptyPositions emptyPositions = this.context.emptyPositions();
		// an id of a log that is gone, or an empty position that may have missed a dropped log
		boolean recovered = emptyPositions.owns(parts) && emptyPositions.resumable(topic, after, since);
		return new HistoryPage(List.of(), recovered, now);
	}

	private void sweep(boolean force) {
		long now = this.clock.millis();
		this.lastEviction = now;
		for (TopicLog log : this.topics.values()) {
			if (log.retireIfIdle(now, force)) {
				retired(log);
			}
		}
	}

	@Override
	public void checkRoomFor(Collection<String> topics) {
		long missing = topics.stream().filter((topic) -> !this.topics.containsKey(topic)).count();
		if (missing > 0 && this.topicCount.get() + missing > this.maxTopics) {
			sweepIfFull(this.clock.millis());
			if (this.topicCount.get() + missing > this.maxTopics) {
				throw new TopicLimitException("too many topics (" + this.maxTopics + "), try again later");
			}
		}
	}

	private TopicLog log(String topic) {
		TopicLog log = (topic != null) ? this.topics.get(topic) : null;
		if (log != null) {
			return log;
		}
		Topics.requireValid(topic);
		long now = this.clock.millis();
		if (now - this.lastEviction > this.historyTtlMillis) {
			sweep(false);
		}
		sweepIfFull(now);
		return this.topics.computeIfAbsent(topic, this::newLog);
	}

	private void sweepIfFull(long now) {
		if (this.topicCount.get() >= this.maxTopics && now - this.lastFullSweep >= FULL_SWEEP_INTERVAL_MILLIS) {
			// full: topics whose history expired may go now, even if a client still holds their positions
			this.lastFullSweep = now;
			sweep(true);
		}
	}

	private TopicLog newLog(String topic) {
		int count;
		do {
			count = this.topicCount.get();
			if (count >= this.maxTopics) {
				throw new TopicLimitException("too many topics (" + this.maxTopics + "), try again later");
			}
		}
		while (!this.topicCount.compareAndSet(count, count + 1));
		return new TopicLog(topic, this.context);
	}

	private void retired(TopicLog log) {
		if (this.topics.remove(log.topic(), log)) {
			this.topicCount.decrementAndGet();
		}
	}

	private TopicLog.Context context(long maxHistoryBytes, int maxTopics) {
		// dropped topics are remembered as many as may be live, so a resume is rarely reset for another topic's drop
		return new TopicLog.Context(this.historySize, this.historyTtlMillis, this.clock, this.subscriptions,
				new HistoryBudget(maxHistoryBytes), new EmptyPositions(maxTopics), this::retired);
	}

}
