package io.realtime.webmvc.http;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import io.realtime.core.Cursor;
import io.realtime.core.Message;
import org.jspecify.annotations.Nullable;

/**
 * SSE {@code message} events as bytes. A stream of one topic (the common case) carries the same
 * event as every other such stream of that topic, cursor included, so the event is built and
 * encoded once per message, not once per subscriber.
 */
final class MessageEvents {

	/** The event of the message most recently fanned out, shared by its one-topic streams. */
	private volatile @Nullable Encoded last;

	/** The event for a stream whose only topic is the message's. */
	byte[] single(Message message) {
		Encoded encoded = this.last;
		if (encoded == null || encoded.message() != message) {
			encoded = new Encoded(message,
					encode(Cursor.of(Map.of(message.topic(), message.id())).encode(), message));
			this.last = encoded;
		}
		return encoded.bytes();
	}

	/** The event, with the cursor after it as its id. */
	static byte[] encode(String cursor, Message message) {
		return ("id:" + cursor + "\nevent:message\ndata:" + message.toJson() + "\n\n").getBytes(StandardCharsets.UTF_8);
	}

	private record Encoded(Message message, byte[] bytes) {
	}

}
