package io.realtime.core;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.jspecify.annotations.Nullable;

/**
 * One topic of the {@link InMemoryBroker}: a ring buffer of recent messages (bounded by count and
 * age), its epoch and sequence, and the subscribers. Every operation holds this log's lock, so
 * appending, handing a message to the subscribers and replaying history to a new subscriber never
 * interleave: each subscriber sees the topic in order, with no gap and no duplicate.
 *
 * <p>Once {@linkplain #retireIfIdle evicted} a log refuses work and returns {@code null}, and the
 * broker looks the topic up again.
 */
final class TopicLog {

	private static final SecureRandom RANDOM = new SecureRandom();

	private final String topic;

	/** Drawn per log, so ids of a dropped log or an earlier run are never taken for current ones. */
	private final String epoch = Long.toString(RANDOM.nextLong() >>> 16, 36);

	private final int historySize;

	private final long historyTtlMillis;

	private final Clock clock;

	/** The broker's subscription count, kept as subscribers come and go. */
	private final AtomicLong subscriptions;

	private final LinkedHashSet<TopicSubscription> subscribers = new LinkedHashSet<>();

	private Message[] ring;

	/** Sequence of the newest message; 0 before the first. */
	private long head;

	/** Messages held, the newest {@code count} sequences up to {@link #head}. */
	private int count;

	private long lastAccess;

	/** Set once evicted: callers holding this log look the topic up again. */
	private boolean retired;

	/** The subscribers as an array for fan-out, rebuilt only after they change. */
	private TopicSubscription @Nullable [] snapshot;

	TopicLog(String topic, int historySize, long historyTtlMillis, Clock clock, AtomicLong subscriptions) {
		this.topic = topic;
		this.historySize = historySize;
		this.historyTtlMillis = historyTtlMillis;
		this.clock = clock;
		this.subscriptions = subscriptions;
		this.ring = new Message[Math.min(16, historySize)];
		this.lastAccess = clock.millis();
	}

	String topic() {
		return this.topic;
	}

	synchronized @Nullable Message append(String data) {
		long now = this.clock.millis();
		if (!touch(now)) {
			return null;
		}
		long seq = this.head + 1;
		Message message = new Message(this.topic, MessageIds.join(this.epoch, seq), data, now);
		store(seq, message);
		// a snapshot: a listener may cancel its own (or another) subscription while it runs
		for (TopicSubscription subscription : snapshot()) {
			if (!subscription.deliver(message)) {
				remove(subscription);
			}
		}
		return message;
	}

	synchronized @Nullable HistoryPage read(@Nullable String after, int limit) {
		if (!touch(this.clock.millis())) {
			return null;
		}
		if (after == null) {
			return new HistoryPage(List.of(), true, MessageIds.join(this.epoch, this.head));
		}
		long afterSeq = resumeSequence(after);
		boolean recovered = afterSeq >= 0;
		long from = recovered ? afterSeq + 1 : oldest();
		List<Message> messages = new ArrayList<>((int) Math.min(limit, this.head - from + 1));
		for (long seq = from; seq <= this.head && messages.size() < limit; seq++) {
			messages.add(at(seq));
		}
		String position = messages.isEmpty() ? MessageIds.join(this.epoch, from - 1)
				: messages.get(messages.size() - 1).id();
		return new HistoryPage(messages, recovered, position);
	}

	synchronized @Nullable Subscription subscribe(@Nullable String after, MessageListener listener) {
		if (!touch(this.clock.millis())) {
			return null;
		}
		long afterSeq = (after != null) ? resumeSequence(after) : this.head;
		boolean recovered = afterSeq >= 0;
		TopicSubscription subscription = new TopicSubscription(listener, recovered);
		listener.onSubscribed(recovered);
		for (long seq = recovered ? afterSeq + 1 : oldest(); seq <= this.head; seq++) {
			if (!subscription.deliver(at(seq))) {
				return subscription;
			}
		}
		this.subscribers.add(subscription);
		this.snapshot = null;
		this.subscriptions.incrementAndGet();
		return subscription;
	}

	/**
	 * Retire this log when it has no subscriber, no message in history and no access for longer
	 * than the history's age.
	 * @param now the current time
	 * @return whether this log is retired
	 */
	synchronized boolean retireIfIdle(long now) {
		expire(now);
		if (this.subscribers.isEmpty() && this.count == 0 && now - this.lastAccess > this.historyTtlMillis) {
			this.retired = true;
		}
		return this.retired;
	}

	private synchronized void remove(TopicSubscription subscription) {
		if (this.subscribers.remove(subscription)) {
			this.snapshot = null;
			this.subscriptions.decrementAndGet();
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
		if (this.count == this.ring.length && this.ring.length < this.historySize) {
			grow();
		}
		this.ring[(int) (seq % this.ring.length)] = message;
		this.head = seq;
		this.count = Math.min(this.count + 1, this.ring.length);
	}

	private void grow() {
		Message[] larger = new Message[(int) Math.min((long) this.ring.length * 2, this.historySize)];
		for (long seq = oldest(); seq <= this.head; seq++) {
			larger[(int) (seq % larger.length)] = at(seq);
		}
		this.ring = larger;
	}

	private void expire(long now) {
		long cutoff = now - this.historyTtlMillis;
		while (this.count > 0 && at(oldest()).timestamp() < cutoff) {
			this.ring[(int) (oldest() % this.ring.length)] = null;
			this.count--;
		}
	}

	private final class TopicSubscription implements Subscription {

		private final MessageListener listener;

		private final boolean recovered;

		private volatile boolean cancelled;

		TopicSubscription(MessageListener listener, boolean recovered) {
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
			return TopicLog.this.topic;
		}

		@Override
		public boolean recovered() {
			return this.recovered;
		}

		@Override
		public void cancel() {
			if (!this.cancelled) {
				this.cancelled = true;
				remove(this);
			}
		}

	}

}
