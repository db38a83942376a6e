package io.realtime.redis;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

import io.realtime.core.BrokerUnavailableException;
import io.realtime.redis.TopicStreams.Entry;
import io.realtime.redis.TopicStreams.Page;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * The local subscribers of one topic on one instance, and the one reader that feeds them in
 * stream order. Work arrives in an inbox (announced messages, new subscribers, "catch up") and
 * is drained by one task at a time, so the reader's state needs no lock and no two deliveries
 * of the topic overlap.
 */
final class TopicFanout {

	private static final Log logger = LogFactory.getLog(TopicFanout.class);

	private final String topic;

	private final RedisBroker broker;

	private final Queue<Work> inbox = new ConcurrentLinkedQueue<>();

	private final AtomicBoolean scheduled = new AtomicBoolean();

	/** Subscriptions holding this fan-out; changed only inside the broker's map operations. */
	private int members;

	/** Whether a read failed; the next announcement or the periodic check reads again. */
	private volatile boolean stalled;

	// the rest is touched only by the draining task

	/** The last entry handed to the subscribers, {@code null} until the first one joins. */
	private @Nullable StreamPosition cursor;

	private final List<TopicSubscription> subscribers = new ArrayList<>();

	/** Subscriptions that could not join while Redis was unreachable. */
	private final List<TopicSubscription> waiting = new ArrayList<>();

	TopicFanout(String topic, RedisBroker broker) {
		this.topic = topic;
		this.broker = broker;
	}

	String topic() {
		return this.topic;
	}

	RedisBroker broker() {
		return this.broker;
	}

	void enter() {
		this.members++;
	}

	/** Whether the last member left. */
	boolean leave() {
		return --this.members == 0;
	}

	/** Deliver to a subscription from its position on, then with everyone else. */
	void join(TopicSubscription subscription) {
		offer(new Join(subscription));
	}

	/** A message was published; {@code previous} is the id it directly follows. */
	void announced(StreamPosition previous, Entry entry) {
		offer(new Announcement(previous, entry));
	}

	/** Read whatever the stream holds after the last delivered entry. */
	void catchUp() {
		offer(CatchUp.INSTANCE);
	}

	void resumeIfStalled() {
		if (this.stalled) {
			catchUp();
		}
	}

	private void offer(Work item) {
		this.inbox.add(item);
		if (this.scheduled.compareAndSet(false, true)) {
			this.broker.dispatch(this::drain);
		}
	}

	private void drain() {
		try {
			Work item;
			while ((item = this.inbox.poll()) != null) {
				try {
					handle(item);
				}
				catch (RuntimeException ex) {
					logger.error("Realtime delivery failed on topic '" + this.topic + "'", ex);
				}
			}
		}
		finally {
			this.scheduled.set(false);
			if (!this.inbox.isEmpty() && this.scheduled.compareAndSet(false, true)) {
				this.broker.dispatch(this::drain);
			}
		}
	}

	private void handle(Work item) {
		if (item instanceof Join join) {
			admit(join.subscription());
		}
		else if (item instanceof Announcement announcement) {
			receive(announcement);
		}
		else if (read()) {
			admitWaiting();
		}
	}

	private void receive(Announcement announcement) {
		StreamPosition cursor = this.cursor;
		if (cursor == null) {
			return; // the first subscriber reads when it joins
		}
		StreamPosition position = announcement.entry().position();
		if (!this.stalled && cursor.sameEpoch(position)) {
			if (announcement.previous().compareTo(cursor) == 0) {
				deliver(List.of(announcement.entry()));
				this.cursor = position;
				return;
			}
			if (position.compareTo(cursor) <= 0) {
				return; // already read from the stream
			}
		}
		// something was missed, or the topic started a new epoch: the stream has it all
		if (read()) {
			admitWaiting();
		}
	}

	/**
	 * Bring the reader up to the newest entry.
	 * @return {@code false} when Redis was unreachable
	 */
	private boolean read() {
		StreamPosition cursor = this.cursor;
		if (cursor == null) {
			return true;
		}
		try {
			Page page;
			do {
				page = this.broker.streams().read(this.topic, cursor, RedisBroker.READ_BATCH);
				if (!page.recovered() && !stillEmpty(cursor, page.position())) {
					// trimmed before this instance delivered it, or lost to a failover: subscribers
					// are told, then get what history holds from its oldest entry on
					logger.warn("Realtime topic '" + this.topic + "' cannot continue gap-free after " + cursor
							+ " (trimmed before this instance delivered it, or a Redis failover); "
							+ "its subscribers here are reset");
					reset();
				}
				deliver(page.entries());
				cursor = page.position();
				this.cursor = cursor;
			}
			while (page.entries().size() == RedisBroker.READ_BATCH);
			this.stalled = false;
			return true;
		}
		catch (BrokerUnavailableException ex) {
			this.stalled = true;
			return false;
		}
	}

	/**
	 * Bring a new subscription from its own position to the reader's, delivering to it alone,
	 * then deliver to it with everyone else.
	 */
	private void admit(TopicSubscription subscription) {
		if (this.cursor == null) {
			this.cursor = subscription.position();
			this.subscribers.add(subscription);
			read();
			return;
		}
		try {
			while (!subscription.isCancelled()) {
				if (!subscription.position().sameEpoch(this.cursor) && !read()) {
					this.waiting.add(subscription);
					return;
				}
				StreamPosition position = subscription.position();
				StreamPosition cursor = this.cursor;
				if (cursor == null || (position.sameEpoch(cursor) && position.compareTo(cursor) >= 0)) {
					// at or ahead of the reader: it skips what the subscription already has
					this.subscribers.add(subscription);
					return;
				}
				Page page = this.broker.streams().read(this.topic, position, RedisBroker.READ_BATCH);
				if (!subscription.advance(page) || page.entries().isEmpty()) {
					this.subscribers.add(subscription);
					return;
				}
			}
		}
		catch (BrokerUnavailableException ex) {
			this.stalled = true;
			this.waiting.add(subscription);
		}
	}

	private void admitWaiting() {
		if (this.waiting.isEmpty()) {
			return;
		}
		List<TopicSubscription> retry = new ArrayList<>(this.waiting);
		this.waiting.clear();
		retry.forEach(this::admit);
	}

	/**
	 * Whether a topic without keys still has none on the same Redis lineage: only too long a
	 * wait for a proof, while this instance heard of no publish, so nothing to tell subscribers.
	 */
	private static boolean stillEmpty(StreamPosition cursor, StreamPosition position) {
		return cursor.isEmptyTopic() && position.isEmptyTopic() && position.sameEpoch(cursor);
	}

	private void reset() {
		this.subscribers.removeIf((subscription) -> !subscription.reset());
	}

	private void deliver(List<Entry> entries) {
		if (entries.isEmpty()) {
			return;
		}
		for (Iterator<TopicSubscription> iterator = this.subscribers.iterator(); iterator.hasNext();) {
			TopicSubscription subscription = iterator.next();
			for (Entry entry : entries) {
				if (!subscription.deliver(entry)) {
					iterator.remove();
					break;
				}
			}
		}
	}

	private record Announcement(StreamPosition previous, Entry entry) implements Work {
	}

	/** What the inbox carries to the draining task. */
	private sealed interface Work permits Join, Announcement, CatchUp {
	}

	/** A subscription to deliver to from its position on. */
	private record Join(TopicSubscription subscription) implements Work {
	}

	/** Read whatever the stream holds after the last delivered entry. */
	private enum CatchUp implements Work {

		INSTANCE

	}

}
