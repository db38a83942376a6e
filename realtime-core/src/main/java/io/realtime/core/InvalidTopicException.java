package io.realtime.core;

/**
 * Thrown when a topic name is missing or does not follow {@link Topics the rules}.
 *
 * @since 0.1.0
 */
public class InvalidTopicException extends IllegalArgumentException {

	public InvalidTopicException(String message) {
		super(message);
	}

}
