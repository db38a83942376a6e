package io.realtime.redis;

import io.realtime.core.InvalidCursorException;
import io.realtime.core.MessageIds;
import org.jspecify.annotations.Nullable;

/**
 * A message id of the Redis broker: the topic's epoch and a Redis stream entry id, handed to
 * clients as {@code <epoch>.<milliseconds>-<sequence>}. The epoch is drawn when a topic's keys
 * are created, so ids of a Redis that restarted empty, was flushed or let the topic expire are
 * recognized and never mistaken for current ones.
 *
 * @param epoch the topic's epoch, lower-case letters and digits
 * @param millis the stream id's time part
 * @param sequence the stream id's sequence part
 */
record StreamPosition(String epoch, long millis, long sequence) implements Comparable<StreamPosition> {

	/** The stream id before any entry. */
	static final String ORIGIN = "0-0";

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
	 * Combine an epoch and a Redis stream id.
	 * @param epoch the epoch
	 * @param streamId a stream id such as {@code 1732456789000-0}
	 * @return the position, or {@code null} when the stream id is malformed
	 */
	static @Nullable StreamPosition of(String epoch, String streamId) {
		int dash = streamId.indexOf('-');
		if (dash <= 0) {
			return null;
		}
		long millis = MessageIds.parseCounter(streamId.substring(0, dash));
		long sequence = MessageIds.parseCounter(streamId.substring(dash + 1));
		return (millis >= 0 && sequence >= 0) ? new StreamPosition(epoch, millis, sequence) : null;
	}

	/** The Redis stream id. */
	String streamId() {
		return this.millis + "-" + this.sequence;
	}

	/** The id clients see. */
	String id() {
		return MessageIds.join(this.epoch, streamId());
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
