package io.realtime.redis;

import io.realtime.core.MessageListener;
import io.realtime.core.Subscription;
import io.realtime.redis.TopicStreams.Entry;
import io.realtime.redis.TopicStreams.Page;

/**
 * One subscription of the Redis broker. It remembers the last entry its listener received, so
 * whichever read delivers an entry, the listener gets each one once, in order. Callbacks run
 * under the subscription's lock: they never overlap, and none starts after {@link #cancel()}.
 */
final class TopicSubscription implements Subscription {

	private final TopicFanout fanout;

	private final MessageListener listener;

	private final boolean recovered;

	private StreamPosition position;

	private boolean cancelled;

	TopicSubscription(TopicFanout fanout, MessageListener listener, boolean recovered, StreamPosition position) {
		this.fanout = fanout;
		this.listener = listener;
		this.recovered = recovered;
		this.position = position;
	}

	TopicFanout fanout() {
		return this.fanout;
	}

	synchronized StreamPosition position() {
		return this.position;
	}

	synchronized boolean isCancelled() {
		return this.cancelled;
	}

	/**
	 * Hand an entry to the listener unless it already has it.
	 * @return {@code false} once the subscription is dead
	 */
	boolean deliver(Entry entry) {
		synchronized (this) {
			if (this.cancelled) {
				return false;
			}
			// an entry of another epoch is newer: the topic restarted after this position
			if (entry.position().sameEpoch(this.position) && entry.position().compareTo(this.position) <= 0) {
				return true;
			}
			try {
				this.listener.onMessage(entry.message());
				this.position = entry.position();
				return true;
			}
			catch (RuntimeException ex) {
				// a failing listener must not cost other subscribers their messages
			}
		}
		cancel();
		return false;
	}

	/**
	 * Tell the listener that what follows does not continue its position without a gap.
	 * @return {@code false} once the subscription is dead
	 */
	boolean reset() {
		synchronized (this) {
			if (this.cancelled) {
				return false;
			}
			try {
				this.listener.onReset();
				return true;
			}
			catch (RuntimeException ex) {
				// a failing listener must not cost other subscribers their messages
			}
		}
		cancel();
		return false;
	}

	/**
	 * Deliver a page read for this subscription alone and move to its position.
	 * @return {@code false} once the subscription is dead
	 */
	boolean advance(Page page) {
		if (!page.recovered() && !reset()) {
			return false;
		}
		for (Entry entry : page.entries()) {
			if (!deliver(entry)) {
				return false;
			}
		}
		synchronized (this) {
			this.position = page.position();
			return !this.cancelled;
		}
	}

	@Override
	public String topic() {
		return this.fanout.topic();
	}

	@Override
	public boolean recovered() {
		return this.recovered;
	}

	@Override
	public void cancel() {
		synchronized (this) {
			if (this.cancelled) {
				return;
			}
			this.cancelled = true;
		}
		this.fanout.broker().released(this);
	}

}
