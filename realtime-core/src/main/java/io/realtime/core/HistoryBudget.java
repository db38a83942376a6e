package io.realtime.core;

import java.util.Comparator;
import java.util.PriorityQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The bytes held in history across every topic, and the eviction that keeps them under a total:
 * once over it, the globally oldest messages go, whichever topic holds them, until a tenth of the
 * budget is free again. So one busy topic cannot keep the others' history, and a flood costs the
 * flooder's own old messages first.
 */
final class HistoryBudget {

	/** What a message costs besides its payload: its objects, its id and its slot in a ring. */
	private static final int MESSAGE_OVERHEAD = 128;

	private final AtomicLong bytes = new AtomicLong();

	private final long maxBytes;

	private final ReentrantLock evicting = new ReentrantLock();

	HistoryBudget(long maxBytes) {
		this.maxBytes = maxBytes;
	}

	/** The bytes a message is counted for: its payload's characters plus a fixed overhead. */
	static long size(Message message) {
		return message.data().length() + MESSAGE_OVERHEAD;
	}

	void add(long size) {
		this.bytes.addAndGet(size);
	}

	void release(long size) {
		this.bytes.addAndGet(-size);
	}

	long bytes() {
		return this.bytes.get();
	}

	long maxBytes() {
		return this.maxBytes;
	}

	/**
	 * Evict the oldest messages of all logs while over budget. Call it holding no log's lock; a
	 * caller that finds another thread evicting returns at once.
	 * @param logs the live logs
	 */
	void enforce(Iterable<TopicLog> logs) {
		if (this.bytes.get() <= this.maxBytes || !this.evicting.tryLock()) {
			return;
		}
		try {
			long target = this.maxBytes - this.maxBytes / 10;
			while (this.bytes.get() > this.maxBytes) {
				if (!evictOldest(logs, target)) {
					return;
				}
			}
		}
		finally {
			this.evicting.unlock();
		}
	}

	/** Merge the logs by their oldest message and evict from the front; {@code false} if none held any. */
	private boolean evictOldest(Iterable<TopicLog> logs, long target) {
		PriorityQueue<Oldest> queue = new PriorityQueue<>(Comparator.comparingLong(Oldest::timestamp));
		for (TopicLog log : logs) {
			long timestamp = log.oldestTimestamp();
			if (timestamp != TopicLog.EMPTY) {
				queue.add(new Oldest(log, timestamp));
			}
		}
		if (queue.isEmpty()) {
			return false;
		}
		while (this.bytes.get() > target && !queue.isEmpty()) {
			Oldest next = queue.remove();
			Oldest after = queue.peek();
			long timestamp = next.log().evictOldest((after != null) ? after.timestamp() : Long.MAX_VALUE,
					this.bytes.get() - target);
			if (timestamp != TopicLog.EMPTY) {
				queue.add(new Oldest(next.log(), timestamp));
			}
		}
		return true;
	}

	private record Oldest(TopicLog log, long timestamp) {
	}

}
