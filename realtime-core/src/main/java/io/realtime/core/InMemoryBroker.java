package io.realtime.core;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
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

	private static final SecureRandom RANDOM = new SecureRandom();

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
				this.topics.remove(log.topic, log);
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
		return this.topics.computeIfAbsent(Topics.requireValid(topic), TopicLog::new);
	}

	private static String newEpoch() {
		return Long.toString(RANDOM.nextLong() >>> 16, 36);
	}

	/** One topic: a ring buffer of recent messages and the subscribers. */
	private final class TopicLog {

		private final String topic;

		private final String epoch = newEpoch();

		private final LinkedHashSet<TopicSubscription> subscribers = new LinkedHashSet<>();

		private Message[] ring = new Message[Math.min(16, InMemoryBroker.this.historySize)];

		/** Sequence of the newest message; 0 before the first. */
		private long head;

		private long lastAccess = InMemoryBroker.this.clock.millis();

		/** Set once evicted: callers holding this log look the topic up again. */
		private boolean retired;

		/** The subscribers as an array for fan-out, rebuilt only after they change. */
		private TopicSubscription @Nullable [] snapshot;

		/** Messages held, the newest {@code count} sequences up to {@link #head}. */
		private int count;

		TopicLog(String topic) {
			this.topic = topic;
		}

		synchronized @Nullable Message append(String data) {
			long now = InMemoryBroker.this.clock.millis();
			if (!touch(now)) {
				return null;
			}
			long seq = this.head + 1;
			Message message = new Message(this.topic, id(seq), data, now);
			store(seq, message);
			// a snapshot: a listener may cancel its own (or another) subscription while it runs
			for (TopicSubscription subscription : snapshot()) {
				if (!subscription.deliver(message) && this.subscribers.remove(subscription)) {
					this.snapshot = null;
					InMemoryBroker.this.subscriptions.decrementAndGet();
				}
			}
			return message;
		}

		synchronized @Nullable HistoryPage read(@Nullable String after, int limit) {
			if (!touch(InMemoryBroker.this.clock.millis())) {
				return null;
			}
			if (after == null) {
				return new HistoryPage(List.of(), true, id(this.head));
			}
			long afterSeq = resumeSequence(after);
			boolean recovered = afterSeq >= 0;
			long from = recovered ? afterSeq + 1 : oldest();
			List<Message> messages = new ArrayList<>((int) Math.min(limit, this.head - from + 1));
			for (long seq = from; seq <= this.head && messages.size() < limit; seq++) {
				messages.add(at(seq));
			}
			String position = messages.isEmpty() ? id(from - 1) : messages.get(messages.size() - 1).id();
			return new HistoryPage(messages, recovered, position);
		}

		synchronized @Nullable Subscription subscribe(@Nullable String after, MessageListener listener) {
			if (!touch(InMemoryBroker.this.clock.millis())) {
				return null;
			}
			long afterSeq = (after != null) ? resumeSequence(after) : this.head;
			boolean recovered = afterSeq >= 0;
			TopicSubscription subscription = new TopicSubscription(this, listener, recovered);
			listener.onSubscribed(recovered);
			for (long seq = recovered ? afterSeq + 1 : oldest(); seq <= this.head; seq++) {
				if (!subscription.deliver(at(seq))) {
					return subscription;
				}
			}
			this.subscribers.add(subscription);
			this.snapshot = null;
			InMemoryBroker.this.subscriptions.incrementAndGet();
			return subscription;
		}

		synchronized void remove(TopicSubscription subscription) {
			if (this.subscribers.remove(subscription)) {
				this.snapshot = null;
				InMemoryBroker.this.subscriptions.decrementAndGet();
			}
		}

		/** Expire old messages and note the access; {@code false} when this log was evicted. */
		private boolean touch(long now) {
			if (this.retired) {
				return false;
			}
			this.lastAccess = now;
			expire(now);
			return true;
		}

		synchronized boolean retireIfIdle(long now) {
			expire(now);
			if (this.subscribers.isEmpty() && this.count == 0
					&& now - this.lastAccess > InMemoryBroker.this.historyTtlMillis) {
				this.retired = true;
			}
			return this.retired;
		}

		private TopicSubscription[] snapshot() {
			TopicSubscription[] snapshot = this.snapshot;
			if (snapshot == null) {
				snapshot = this.subscribers.toArray(new TopicSubscription[0]);
				this.snapshot = snapshot;
			}
			return snapshot;
		}

		/**
		 * The sequence to resume after, or -1 when the position cannot be resumed without a gap.
		 */
		private long resumeSequence(String after) {
			MessageIds.Parts parts = MessageIds.split(after);
			long seq = (parts != null) ? MessageIds.parseCounter(parts.rest()) : -1;
			if (parts == null || seq < 0) {
				throw new InvalidCursorException("'" + after + "' is not a message id of this broker");
			}
			if (!parts.epoch().equals(this.epoch)) {
				return -1; // another broker lifetime
			}
			if (seq > this.head) {
				throw new InvalidCursorException("'" + after + "' is ahead of topic '" + this.topic + "'");
			}
			return (seq >= oldest() - 1) ? seq : -1;
		}

		private long oldest() {
			return this.head - this.count + 1;
		}

		private Message at(long seq) {
			return this.ring[(int) (seq % this.ring.length)];
		}

		private void store(long seq, Message message) {
			if (this.count == this.ring.length && this.ring.length < InMemoryBroker.this.historySize) {
				grow();
			}
			this.ring[(int) (seq % this.ring.length)] = message;
			this.head = seq;
			this.count = Math.min(this.count + 1, this.ring.length);
		}

		private void grow() {
			Message[] larger = new Message[(int) Math.min((long) this.ring.length * 2, InMemoryBroker.this.historySize)];
			for (long seq = oldest(); seq <= this.head; seq++) {
				larger[(int) (seq % larger.length)] = at(seq);
			}
			this.ring = larger;
		}

		private void expire(long now) {
			long cutoff = now - InMemoryBroker.this.historyTtlMillis;
			while (this.count > 0 && at(oldest()).timestamp() < cutoff) {
				this.ring[(int) (oldest() % this.ring.length)] = null;
				this.count--;
			}
		}

		private String id(long seq) {
			return MessageIds.join(this.epoch, seq);
		}

	}

	private static final class TopicSubscription implements Subscription {

		private final TopicLog log;

		private final MessageListener listener;

		private final boolean recovered;

		private volatile boolean cancelled;

		TopicSubscription(TopicLog log, MessageListener listener, boolean recovered) {
			this.log = log;
			this.listener = listener;
			this.recovered = recovered;
		}

		/** Hand a message to the listener; {@code false} once the subscription is dead. */
		boolean deliver(Message message) {
			if (this.cancelled) {
				return false;
			}
			try {
				this.listener.onMessage(message);
				return true;
			}
			catch (RuntimeException ex) {
				// a failing listener must not cost other subscribers their messages
				this.cancelled = true;
				return false;
			}
		}

		@Override
		public String topic() {
			return this.log.topic;
		}

		@Override
		public boolean recovered() {
			return this.recovered;
		}

		@Override
		public void cancel() {
			if (!this.cancelled) {
				this.cancelled = true;
				this.log.remove(this);
			}
		}

	}

}
