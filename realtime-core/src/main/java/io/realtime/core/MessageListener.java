package io.realtime.core;

import java.util.function.Consumer;

/**
 * Receives the messages of one subscription. Callbacks for one subscription never overlap and
 * come in topic order. They run on the publisher's thread, so they must not block: hand the
 * message to a queue or a non-blocking write and return.
 *
 * @since 0.1.0
 */
@FunctionalInterface
public interface MessageListener {

	/**
	 * Called once, before any message, when the subscription is in place.
	 * @param recovered {@code false} when the requested position could not be resumed without
	 * a gap and delivery starts from the oldest message still in history
	 */
	default void onSubscribed(boolean recovered) {
	}

	/**
	 * Called when a live subscription can no longer go on without a gap: the broker lost history
	 * it had not delivered yet (a Redis failover, or more messages than history holds went by
	 * while it could not deliver). Delivery goes on from the oldest message still in history,
	 * which may repeat messages already received. By default the same as
	 * {@link #onSubscribed(boolean) onSubscribed(false)}, which transports answer with a reset.
	 * @since 0.1.0
	 */
	default void onReset() {
		onSubscribed(false);
	}

	/**
	 * Called for every message after the subscription's position, first from history, then live.
	 * @param message the message
	 */
	void onMessage(Message message);

	/**
	 * A listener from two callbacks.
	 * @param onMessage called for every message
	 * @param onGap called when the subscription could not resume without a gap
	 * @return the listener
	 */
	static MessageListener of(Consumer<Message> onMessage, Runnable onGap) {
		return new MessageListener() {

			@Override
			public void onSubscribed(boolean recovered) {
				if (!recovered) {
					onGap.run();
				}
			}

			@Override
			public void onMessage(Message message) {
				onMessage.accept(message);
			}

		};
	}

}
