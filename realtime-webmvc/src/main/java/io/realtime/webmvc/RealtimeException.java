package io.realtime.webmvc;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

/**
 * A client request or frame refused for a reason the protocol names. HTTP endpoints answer it
 * with a problem body and the reason's status; WebSocket answers with an error frame.
 *
 * @since 0.1.0
 */
public class RealtimeException extends RuntimeException {

	private final Reason reason;

	private final @Nullable Duration retryAfter;

	public RealtimeException(Reason reason, String message) {
		this(reason, message, null);
	}

	/**
	 * Create a refusal that says when to try again.
	 * @param reason why
	 * @param message what went wrong, for people
	 * @param retryAfter how long the client should wait before trying again, or {@code null}
	 */
	public RealtimeException(Reason reason, String message, @Nullable Duration retryAfter) {
		super(message);
		this.reason = reason;
		this.retryAfter = retryAfter;
	}

	public Reason reason() {
		return this.reason;
	}

	/** How long the client should wait before trying again, when the refusal says. */
	public @Nullable Duration retryAfter() {
		return this.retryAfter;
	}

	/** Why a request was refused, with its HTTP status and WebSocket error code. */
	public enum Reason {

		BAD_REQUEST(400, "bad_request"), FORBIDDEN(403, "forbidden"), TOO_LARGE(413, "too_large"),
		UNSUPPORTED_MEDIA_TYPE(415, "bad_request"), TIMEOUT(408, "bad_request"), RATE_LIMITED(429, "rate_limited"),
		UNAVAILABLE(503, "internal"),
		/** The broker holds as many topics as it may: a new one can be created later. */
		OVER_CAPACITY(503, "over_capacity");

		private final int status;

		private final String code;

		Reason(int status, String code) {
			this.status = status;
			this.code = code;
		}

		public int status() {
			return this.status;
		}

		public String code() {
			return this.code;
		}

	}

}
