package io.realtime.core;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import org.jspecify.annotations.Nullable;

/**
 * One topic of the {@link InMemoryBroker}: a ring buffer of recent messages (bounded by count,
 * age and the broker's {@link HistoryBudget}), its epoch and sequence, and the subscribers. Every operation holds this log's lock, so
 * appending, handing a message to the subscribers and replaying history to a new subscriber never
 * interleave: each subscriber sees the topic in order, with no gap and no duplicate.
 *
 * <p>A log that never had a message answers with the broker's {@link EmptyPositions}, so it can
 * go as soon as its last subscriber does. Once retired a log refuses work and returns
 * {@code null}, and the broker looks the topic up again.
 */
final class TopicLog {

	/** The {@link #oldestTimestamp()} of a log without messages. */
	static final long EMPTY = Long.MIN_VALUE;

	private final String topic;

	private final Context context;

	/** Drawn per log, so ids of a dropped log or an earlier run are never taken for current ones. */
	private final String epoch;

	private final int historySize;

	private final long historyTtlMillis;

	private final Clock clock;

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

	TopicLog(String topic, Context context) {
		this.topic = topic;
		this.context = context;
		this.epoch = context.emptyPositions().newLogEpoch();
		this.historySize = context.historySize();
		this.historyTtlMillis = context.historyTtlMillis();
		this.clock = context.clock();
		this.ring = new Message[Math.min(16, this.historySize)];
		this.lastAccess = this.clock.millis();
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
			return new HistoryPage(List.of(), true, position());
		}
		long afterSeq = resumeSequence(after);
		boolean recovered = afterSeq >= 0;
		long from = recovered ? afterSeq + 1 : oldest();
		List<Message> messages = new ArrayList<>((int) Math.min(limit, this.head - from + 1));
		for (long seq = from; seq <= this.head && messages.size() < limit; seq++) {
			messages.add(at(seq));
		}
		String position;
		if (!messages.isEmpty()) {
			position = messages.get(messages.size() - 1).id();
		}
		else {
			position = (this.head == 0) ? this.context.emptyPositions().now() : MessageIds.join(this.epoch, from - 1);
		}
		return new HistoryPage(messages, recovered, position);
	}

	/** The position before the newest {@code count} messages held, which resumes gap-free. */
	synchronized @Nullable String rewind(int count) {
		if (!touch(this.clock.millis())) {
			return null;
		}
		if (this.head == 0) {
			return position();
		}
		// the oldest held is resumable from right before it (see resumeSequence)
		return MessageIds.join(this.epoch, Math.max(this.head - count, oldest() - 1));
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
		this.context.subscriptions().incrementAndGet();
		return subscription;
	}

	/**
	 * Retire this log when it has no subscriber and no message in history, and either never had
	 * one, or had no access for longer than the history's age, or {@code force} says so. Until
	 * then it answers positions of its messages gap-free; after, they get a reset.
	 * @param now the current time
	 * @param force whether to retire an idle log even if clients may still hold its positions
	 * @return whether this log is retired
	 */
	synchronized boolean retireIfIdle(long now, boolean force) {
		expire(now);
		if (!this.retired && this.subscribers.isEmpty() && this.count == 0
				&& (this.head == 0 || force || now - this.lastAccess > this.historyTtlMillis)) {
			this.retired = true;
			if (this.head > 0) {
				this.context.emptyPositions().lost(this.topic);
			}
		}
		return this.retired;
	}

	/** The timestamp of the oldest message held, or {@link #EMPTY}. */
	synchronized long oldestTimestamp() {
		return (this.count > 0) ? at(oldest()).timestamp() : EMPTY;
	}

	/**
	 * Evict the oldest messages, at least one, then more while they are no newer than a bound and
	 * fewer than the wanted bytes are freed.
	 * @param bound the newest timestamp to evict past the first message
	 * @param wanted the bytes to free
	 * @return the timestamp of the oldest message left, or {@link #EMPTY}
	 */
	synchronized long evictOldest(long bound, long wanted) {
		long freed = 0;
		do {
			if (this.count == 0) {
				return EMPTY;
			}
			freed += dropOldest();
		}
		while (freed < wanted && this.count > 0 && at(oldest()).timestamp() <= bound);
		return oldestTimestamp();
	}

	private synchronized void remove(TopicSubscription subscription) {
		if (this.subscribers.remove(subscription)) {
			this.snapshot = null;
			this.context.subscriptions().decrementAndGet();
			if (this.subscribers.isEmpty() && this.count == 0 && this.head == 0) {
				// nothing to remember: a topic without messages and subscribers holds nothing
				this.retired = true;
				this.context.onRetired().accept(this);
			}
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
		EmptyPositions emptyPositions = this.context.emptyPositions();
		if (emptyPositions.owns(parts)) {
			// the topic had no message then: every message since is still here unless some are gone
			return (emptyPositions.resumable(this.topic, after, seq) && oldest() == 1) ? 0 : -1;
		}
		if (!parts.epoch().equals(this.epoch)) {
			return -1; // another broker lifetime
		}
		if (seq > this.head) {
			throw new InvalidCursorException("'" + after + "' is ahead of topic '" + this.topic + "'");
		}
		return (seq >= oldest() - 1) ? seq : -1;
	}

	/** Where a client stands that has everything: a message id, or an empty position before the first. */
	private String position() {
		return (this.head == 0) ? this.context.emptyPositions().now() : MessageIds.join(this.epoch, this.head);
	}

	private long oldest() {
		return this.head - this.count + 1;
	}

	/** Drop the oldest message held; the bytes it was counted for. */
	private long dropOldest() {
		int slot = (int) (oldest() % this.ring.length);
		long size = HistoryBudget.size(this.ring[slot]);
		this.ring[slot] = null;
		this.count--;
		this.context.budget().release(size);
		return size;
	}

	private Message at(long seq) {
		return this.ring[(int) (seq % this.ring.length)];
	}

	private void store(long seq, Message message) {
		if (this.count == this.ring.length && this.ring.length < this.historySize) {
			grow();
		}
		if (this.count == this.ring.length) {
			dropOldest();
		}
		this.ring[(int) (seq % this.ring.length)] = message;
		this.head = seq;
		this.count++;
		this.context.budget().add(HistoryBudget.size(message));
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
			dropOldest();
		}
	}

	/**
	 * What every log of a broker shares.
	 * @param historySize the most messages kept
	 * @param historyTtlMillis how long a message is kept
	 * @param clock the clock that stamps messages and ages history
	 * @param subscriptions the broker's subscription count, kept as subscribers come and go
	 * @param budget the bytes held in history across every log
	 * @param emptyPositions the positions of topics without messages
	 * @param onRetired told, under the log's lock, when a log retires by itself
	 */
	record Context(int historySize, long historyTtlMillis, Clock clock, AtomicLong subscriptions, HistoryBudget budget,
			EmptyPositions emptyPositions, Consumer<TopicLog> onRetired) {
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
