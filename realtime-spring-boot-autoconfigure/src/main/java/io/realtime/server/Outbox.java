package io.realtime.server;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The one write path of a connection: producers (publisher threads, heartbeats) only enqueue,
 * and a single drain task at a time writes in order on a shared executor, so a slow client
 * never blocks a publisher. When more than the byte limit is queued the outbox closes itself
 * and reports the overflow.
 *
 * @param <T> the type of item written
 * @since 0.1.0
 */
public final class Outbox<T> {

	private final Queue<Queued<T>> queue = new ConcurrentLinkedQueue<>();

	private final AtomicLong queuedBytes = new AtomicLong();

	private final AtomicBoolean draining = new AtomicBoolean();

	private final Executor executor;

	private final long limitBytes;

	private final Writer<T> writer;

	private volatile boolean closed;

	/**
	 * Create an outbox.
	 * @param executor runs the drain tasks
	 * @param limitBytes most bytes queued before {@link Writer#overflow()}
	 * @param writer writes items and hears about failures
	 */
	public Outbox(Executor executor, long limitBytes, Writer<T> writer) {
		this.executor = executor;
		this.limitBytes = limitBytes;
		this.writer = writer;
	}

	/**
	 * Queue an item for writing.
	 * @param item the item
	 * @param bytes its approximate size
	 * @return {@code false} when the outbox is closed or just overflowed
	 */
	public boolean offer(T item, int bytes) {
		if (this.closed) {
			return false;
		}
		if (this.queuedBytes.addAndGet(bytes) > this.limitBytes) {
			close();
			this.writer.overflow();
			return false;
		}
		this.queue.add(new Queued<>(item, bytes));
		if (this.draining.compareAndSet(false, true)) {
			this.executor.execute(this::drain);
		}
		return true;
	}

	/** Stop accepting and drop what is queued. */
	public void close() {
		this.closed = true;
	}

	public boolean isClosed() {
		return this.closed;
	}

	private void drain() {
		while (true) {
			Queued<T> next;
			while (!this.closed && (next = this.queue.poll()) != null) {
				try {
					this.writer.write(next.item());
				}
				catch (Exception ex) {
					close();
					this.writer.failed(ex);
				}
				this.queuedBytes.addAndGet(-next.bytes());
			}
			if (this.closed) {
				this.queue.clear();
			}
			this.draining.set(false);
			// an item offered after the last poll but before the flag was reset is ours to write
			if (this.closed || this.queue.isEmpty() || !this.draining.compareAndSet(false, true)) {
				return;
			}
		}
	}

	private record Queued<T>(T item, int bytes) {
	}

	/**
	 * Writes the items of one connection; called by one thread at a time.
	 *
	 * @param <T> the item type
	 */
	public interface Writer<T> {

		void write(T item) throws Exception;

		/** The client could not keep up; close the connection with a clear reason. */
		void overflow();

		/** A write failed; the connection is gone. */
		void failed(Exception ex);

	}

}
