package io.realtime.webmvc;

import java.util.concurrent.atomic.LongAdder;

/**
 * Counters kept by the transports; exported to Micrometer when it is present.
 *
 * @since 0.1.0
 */
public class RealtimeMetrics {

	private final LongAdder published = new LongAdder();

	private final LongAdder delivered = new LongAdder();

	private final LongAdder slowConsumers = new LongAdder();

	private final LongAdder rejected = new LongAdder();

	public void published() {
		this.published.increment();
	}

	public void delivered() {
		this.delivered.increment();
	}

	public void slowConsumer() {
		this.slowConsumers.increment();
	}

	public void rejected() {
		this.rejected.increment();
	}

	/** Messages accepted from clients and server code. */
	public long publishedCount() {
		return this.published.sum();
	}

	/** Messages handed to a client connection's writer. */
	public long deliveredCount() {
		return this.delivered.sum();
	}

	/** Connections closed because they could not keep up. */
	public long slowConsumerCount() {
		return this.slowConsumers.sum();
	}

	/** Client requests and frames refused with an error. */
	public long rejectedCount() {
		return this.rejected.sum();
	}

}
