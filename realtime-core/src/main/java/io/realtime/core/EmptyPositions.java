package io.realtime.core;

import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Positions of topics that hold no message, so reading such a topic leaves nothing behind. Such a
 * position is {@code <epoch>.<losses>}: this broker's own epoch and how many logs that had
 * messages were dropped so far. A log created later holds only messages after the position; what
 * could be missed is a dropped log, so each drop is remembered by topic (the most recent ones) and
 * the drops forgotten since count for every topic.
 */
final class EmptyPositions {

	private static final SecureRandom RANDOM = new SecureRandom();

	/** Drawn per broker, so positions of an earlier run are answered with a reset. */
	private final String epoch = newEpoch();

	private final AtomicLong losses = new AtomicLong();

	/** The loss number of the latest drop of each remembered topic. */
	private final Map<String, Long> dropped = new ConcurrentHashMap<>();

	/** The drops in order, guarded by this. */
	private final Queue<Drop> dropOrder = new ArrayDeque<>();

	private final int remembered;

	/** The newest loss no longer remembered by topic. */
	private volatile long forgotten;

	EmptyPositions(int remembered) {
		this.remembered = remembered;
	}

	/** A draw for a topic log's epoch, never this broker's own. */
	String newLogEpoch() {
		String epoch;
		do {
			epoch = newEpoch();
		}
		while (epoch.equals(this.epoch));
		return epoch;
	}

	/** The position of an empty topic now: read it before looking the topic up. */
	String now() {
		return MessageIds.join(this.epoch, this.losses.get());
	}

	/**
	 * Whether an id is an empty position of this broker.
	 * @param parts the id's parts
	 */
	boolean owns(MessageIds.Parts parts) {
		return parts.epoch().equals(this.epoch);
	}

	/**
	 * Whether a topic lost no message since an empty position of this broker.
	 * @param topic the topic
	 * @param id the position, for the message
	 * @param since the position's loss number
	 * @throws InvalidCursorException when the position is ahead of this broker
	 */
	boolean resumable(String topic, String id, long since) {
		if (since > this.losses.get()) {
			throw new InvalidCursorException("'" + id + "' is ahead of topic '" + topic + "'");
		}
		Long drop = this.dropped.get(topic);
		return (drop == null || drop <= since) && this.forgotten <= since;
	}

	/** A log that had messages was dropped: positions before now cannot resume it gap-free. */
	synchronized void lost(String topic) {
		long loss = this.losses.incrementAndGet();
		this.dropped.put(topic, loss);
		this.dropOrder.add(new Drop(topic, loss));
		// the queue also holds drops of topics dropped again since, so bound it rather than the map
		while (this.dropOrder.size() > this.remembered) {
			Drop oldest = this.dropOrder.remove();
			// a later drop of the same topic is still remembered and covers this one
			if (this.dropped.remove(oldest.topic(), oldest.loss())) {
				this.forgotten = oldest.loss();
			}
		}
	}

	private static String newEpoch() {
		return Long.toString(RANDOM.nextLong() >>> 16, 36);
	}

	private record Drop(String topic, long loss) {
	}

}
