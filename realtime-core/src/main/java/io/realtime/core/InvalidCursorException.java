package io.realtime.core;

/**
 * Thrown when a cursor or message id handed back by a client is malformed or cannot have been
 * issued by the broker.
 *
 * @since 0.1.0
 */
public class InvalidCursorException extends IllegalArgumentException {

	public InvalidCursorException(String message) {
		super(message);
	}

}
