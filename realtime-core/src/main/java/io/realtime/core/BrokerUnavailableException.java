package io.realtime.core;

/**
 * Thrown when the broker cannot accept or serve a request right now, for example because its
 * backing store is unreachable. Callers may retry later.
 *
 * @since 0.1.0
 */
public class BrokerUnavailableException extends RuntimeException {

	public BrokerUnavailableException(String message) {
		super(message);
	}

	public BrokerUnavailableException(String message, Throwable cause) {
		super(message, cause);
	}

}
