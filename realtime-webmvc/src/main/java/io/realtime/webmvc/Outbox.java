package io.realtime.webmvc;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The one write path of a connection: producers (publisher threads, heartbeats) only enqueue,
 * and one write at a time goes out, in order, from a shared executor, so a slow client never
 * blocks a publisher. Writes may complete asynchronously: no thread waits for a slow client
 * then. A writer may batch writes: it is flushed whenever the queue runs dry. When more than
 * the byte limit is queued the outbox closes itself and reports the overflow.
 *
 * @param <T> the type of item written
 * @since 0.1.0
 */
public final class Outbox<T> {

	private static final int WRITING = 0;

	private static final int LOOP_LEFT = 1;

	private static final int COMPLETED = 2;

	private final Queue<Queued<T>> queue = new ConcurrentLinkedQueue<>();

	private final AtomicLong queuedBytes = new AtomicLong();

	/** Set while a drain loop runs or a write is in flight. */
	private final AtomicBoolean draining = new AtomicBoolean();

	private final Executor executor;

	private final long limitBytes;

	private final Writer<T> writer;

	private volatile boolean closed;

	/** The state of the write or flush in flight: {@link #WRITING}, {@link #LOOP_LEFT}, {@link #COMPLETED}. */
	private final AtomicInteger inFlight = new AtomicInteger(COMPLETED);

	/** The bytes of the write in flight, released when it completes. */
	private volatile int inFlightBytes;

	/** Completes the write in flight; the same for every write. */
	private final Runnable done = this::completed;

	/** What the executor runs; one for every drain rather than a new one each time. */
	private final Runnable drainTask = this::drain;

	/** Whether items were written since the last flush; touched only by the drain loop. */
	private boolean unflushed;

	/**
	 * Create an outbox.
	 * @param executor runs the drain loops
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
			this.executor.execute(this.drainTask);
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
				this.unflushed = true;
				if (!write(next)) {
					return; // the write goes on asynchronously; its completion resumes draining
				}
			}
			if (!this.closed && this.unflushed) {
				// the queue ran dry: what the writer batched goes out now, in one write
				this.unflushed = false;
				if (!flush()) {
					return;
				}
				continue;
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

	private boolean write(Queued<T> next) {
		begin(next.bytes());
		try {
			this.writer.write(next.item(), this.done);
		}
		catch (Exception ex) {
			return failed(ex);
		}
		return leaveLoop();
	}

	private boolean flush() {
		begin(0);
		try {
			this.writer.flush(this.done);
		}
		catch (Exception ex) {
			return failed(ex);
		}
		return leaveLoop();
	}

	/*
	 * One write or flush is in flight at a time (the draining flag sees to it), so its state and
	 * completion callback are fields reused for every write rather than objects made per frame.
	 */

	private void begin(int bytes) {
		this.inFlightBytes = bytes;
		this.inFlight.set(WRITING);
	}

	/** {@code true} when the write already completed and the loop may go on. */
	private boolean leaveLoop() {
		return !this.inFlight.compareAndSet(WRITING, LOOP_LEFT);
	}

	private void completed() {
		this.queuedBytes.addAndGet(-this.inFlightBytes);
		if (!this.inFlight.compareAndSet(WRITING, COMPLETED)) {
			// completed on another thread after the loop left: drain on, on that thread, rather
			// than pay a hand-off to the executor for every frame
			drain();
		}
	}

	private boolean failed(Exception ex) {
		close();
		this.writer.failed(ex);
		return true;
	}

	private record Queued<T>(T item, int bytes) {
	}

	/**
	 * Writes the items of one connection, one at a time.
	 *
	 * @param <T> the item type
	 */
	public interface Writer<T> {

		/**
		 * Write an item and run {@code done} once it is written, on any thread, possibly before
		 * returning. A failed asynchronous write calls {@link #failed} instead. An outbox passes
		 * the same {@code done} to every write and flush, so a writer may keep what it wraps it in.
		 * @param item the item
		 * @param done the completion callback
		 * @throws Exception when the write fails at once
		 */
		void write(T item, Runnable done) throws Exception;

		/**
		 * Send what the writer batched, once the queue has run dry; {@code done} as for
		 * {@link #write}. Writers that do not batch need not override it.
		 * @param done the completion callback
		 * @throws Exception when the flush fails at once
		 */
		default void flush(Runnable done) throws Exception {
			done.run();
		}

		/** The client could not keep up; close the connection with a clear reason. */
		void overflow();

		/** A write failed; the connection is gone. */
		void failed(Exception ex);

	}

}
