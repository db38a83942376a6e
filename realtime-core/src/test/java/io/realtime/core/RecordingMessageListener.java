package io.realtime.core;

import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * A {@link MessageListener} that records every callback in arrival order, for tests. Safe to
 * read from the test thread while a broker delivers on its own threads.
 *
 * @since 0.1.0
 */
public class RecordingMessageListener implements MessageListener {

	private final List<Object> events = new ArrayList<>();

	@Override
	public synchronized void onSubscribed(boolean recovered) {
		this.events.add(recovered);
	}

	@Override
	public synchronized void onMessage(Message message) {
		this.events.add(message);
	}

	/**
	 * Every callback so far: a {@link Boolean} for {@code onSubscribed}, a {@link Message} for
	 * {@code onMessage}.
	 * @return a snapshot of the callbacks in arrival order
	 */
	public synchronized List<Object> events() {
		return List.copyOf(this.events);
	}

	/**
	 * The value passed to {@code onSubscribed}.
	 * @return the first value, or {@code null} before the call
	 */
	public synchronized @Nullable Boolean recovered() {
		for (Object event : this.events) {
			if (event instanceof Boolean recovered) {
				return recovered;
			}
		}
		return null;
	}

	/** A snapshot of the messages received, in arrival order. */
	public synchronized List<Message> messages() {
		List<Message> messages = new ArrayList<>();
		for (Object event : this.events) {
			if (event instanceof Message message) {
				messages.add(message);
			}
		}
		return messages;
	}

	/** A snapshot of the ids of the messages received, in arrival order. */
	public List<String> ids() {
		return messages().stream().map(Message::id).toList();
	}

}
