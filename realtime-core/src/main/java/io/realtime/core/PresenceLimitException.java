package io.realtime.core;

/**
 * Thrown when a member would take a topic past its limit of members present. Those present
 * stay; the member may try again once others have left.
 *
 * @since 0.1.0
 */
public class PresenceLimitException extends RuntimeException {

	public PresenceLimitException(String message) {
		super(message);
	}

}
