package io.realtime.core;

/**
 * A live subscription to one topic. Cancel it to release its resources.
 *
 * @since 0.1.0
 */
public interface Subscription extends AutoCloseable {

	String topic();

	/** Whether the subscription resumed from its position without a gap. */
	boolean recovered();

	/** Stop delivery. Idempotent; no callback starts after this returns. */
	void cancel();

	@Override
	default void close() {
		cancel();
	}

}
