package io.realtime.core;

/**
 * Thrown when a publish or subscribe would create a topic past the broker's limit on live topics.
 * Topics that exist keep working; a new one can be created once others have gone idle.
 *
 * @since 0.1.0
 */
public class TopicLimitException extends RuntimeException {

	public TopicLimitException(String message) {
		super(message);
	}

}
