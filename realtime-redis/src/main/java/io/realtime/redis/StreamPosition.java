package io.realtime.redis;

import io.realtime.core.InvalidCursorException;
import io.realtime.core.MessageIds;
import org.jspecify.annotations.Nullable;

/**
 * A position of the Redis broker, handed to clients as an id. On a topic with keys in Redis it is
 * the topic's epoch and a stream entry id, {@code <epoch>.<milliseconds>-<sequence>}: the epoch is
 * drawn when the keys are created, so ids of a Redis that restarted empty, was flushed or let the
 * topic expire are recognized and never mistaken for current ones. On a topic without keys it is
 * "empty at this time on this Redis process", {@code <server>.<milliseconds>}, and costs Redis
 * nothing.
 *
 * @param epoch the topic's epoch, or the Redis process of an empty position
 * @param millis the stream id's time part, or the Redis time of an empty position
 * @param sequence the stream id's sequence part, or {@link #EMPTY} for an empty position
 */
record StreamPosition(String epoch, long millis, long sequence) implements Comparable<StreamPosition> {

	/** The sequence of a position on a topic without keys, which has no stream id. */
	private static final long EMPTY = -1;

	/**
	 * Parse an id a client handed back.
	 * @param id the id
	 * @return the position
	 * @throws InvalidCursorException when the id cannot have been issued by this broker
	 */
	static StreamPosition parse(String id) {
		MessageIds.Parts parts = MessageIds.split(id);
		StreamPosition position = (parts != null && MessageIds.isEpoch(parts.epoch()))
				? of(parts.epoch(), parts.rest()) : null;
		if (position == null) {
			throw new InvalidCursorException("'" + id + "' is not a message id of this broker");
		}
		return position;
	}

	/**
	 * Combine an epoch and the rest of a position.
	 * @param epoch the epoch
	 * @param rest a stream id such as {@code 1732456789000-0}, or the time of an empty position
	 * @return the position, or {@code null} when the rest is malformed
	 */
	static @Nullable StreamPosition of(String epoch, String rest) {
		int dash = rest.indexOf('-');
		if (dash < 0) {
			long millis = MessageIds.parseCounter(rest);
			return (millis >= 0) ? new StreamPosition(epoch, millis, EMPTY) : null;
		}
		long millis = MessageIds.parseCounter(rest.substring(0, dash));
		long sequence = MessageIds.parseCounter(rest.substring(dash + 1));
		return (millis >= 0 && sequence >= 0) ? new StreamPosition(epoch, millis, sequence) : null;
	}

	/** Whether this is the position of a topic that had no keys in Redis. */
	boolean isEmptyTopic() {
		return this.sequence == EMPTY;
	}

	/** What follows the epoch: the Redis stream id, or the time of an empty position. */
	String rest() {
		return isEmptyTopic() ? Long.toString(this.millis) : this.millis + "-" + this.sequence;
	}

	/** The id clients see. */
	String id() {
		return MessageIds.join(this.epoch, rest());
	}

	boolean sameEpoch(StreamPosition other) {
		return this.epoch.equals(other.epoch);
	}

	/** Order within one epoch; positions of different epochs are not comparable. */
	@Override
	public int compareTo(StreamPosition other) {
		int byMillis = Long.compare(this.millis, other.millis);
		return (byMillis != 0) ? byMillis : Long.compare(this.sequence, other.sequence);
	}

	@Override
	public String toString() {
		return id();
	}

}
