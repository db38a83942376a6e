package io.realtime.webmvc.http;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import io.realtime.core.BrokerUnavailableException;
import io.realtime.core.InvalidCursorException;
import io.realtime.core.InvalidTopicException;
import io.realtime.core.PresenceLimitException;
import io.realtime.core.TopicLimitException;
import io.realtime.webmvc.RealtimeException;
import io.realtime.webmvc.RealtimeMetrics;
import io.realtime.webmvc.RefusalLog;
import io.realtime.webmvc.WireFormat;
import jakarta.servlet.http.HttpServletRequest;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * Answers refused requests of the realtime HTTP endpoints with RFC 9457 problem bodies, never
 * a stack trace.
 *
 * @since 0.1.0
 */
@RestControllerAdvice(assignableTypes = { PublishEndpoint.class, PollEndpoint.class, LongPollEndpoint.class,
		SseEndpoint.class, PresenceEndpoint.class })
public class RealtimeProblemHandler {

	private static final Log logger = LogFactory.getLog(RealtimeProblemHandler.class);

	private final RealtimeMetrics metrics;

	public RealtimeProblemHandler(RealtimeMetrics metrics) {
		this.metrics = metrics;
	}

	@ExceptionHandler
	ResponseEntity<byte[]> refused(RealtimeException ex, HttpServletRequest request) {
		return problem(request, HttpStatus.valueOf(ex.reason().status()), ex.getMessage(), ex.retryAfter());
	}

	@ExceptionHandler({ InvalidTopicException.class, InvalidCursorException.class })
	ResponseEntity<byte[]> badRequest(IllegalArgumentException ex, HttpServletRequest request) {
		return problem(request, HttpStatus.BAD_REQUEST, ex.getMessage(), null);
	}

	@ExceptionHandler
	ResponseEntity<byte[]> unavailable(BrokerUnavailableException ex, HttpServletRequest request) {
		return problem(request, HttpStatus.SERVICE_UNAVAILABLE, ex.getMessage(), null);
	}

	@ExceptionHandler
	ResponseEntity<byte[]> overCapacity(TopicLimitException ex, HttpServletRequest request) {
		return problem(request, HttpStatus.SERVICE_UNAVAILABLE, ex.getMessage(), null);
	}

	@ExceptionHandler
	ResponseEntity<byte[]> overCapacity(PresenceLimitException ex, HttpServletRequest request) {
		return problem(request, HttpStatus.SERVICE_UNAVAILABLE, ex.getMessage(), null);
	}

	@ExceptionHandler
	ResponseEntity<byte[]> failed(RuntimeException ex, HttpServletRequest request) {
		logger.error("Realtime request failed", ex);
		this.metrics.rejected();
		return body(HttpStatus.INTERNAL_SERVER_ERROR, WireFormat.problem(HttpStatus.INTERNAL_SERVER_ERROR,
				"the request could not be processed", request.getRequestURI()), null);
	}

	private ResponseEntity<byte[]> problem(HttpServletRequest request, HttpStatus status, String detail,
			@Nullable Duration retryAfter) {
		this.metrics.rejected();
		RefusalLog.refused(request.getMethod() + " " + request.getRequestURI(), status.value(), detail);
		return body(status, WireFormat.problem(status, detail, request.getRequestURI(), retryAfter), retryAfter);
	}

	/**
	 * The problem as bytes of a known length: a refusal that leaves a request body unread closes
	 * the connection after it, and a body delimited by that close could be cut by the client's
	 * reset of the unread bytes.
	 */
	private static ResponseEntity<byte[]> body(HttpStatus status, String json, @Nullable Duration retryAfter) {
		byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
		ResponseEntity.BodyBuilder response = ResponseEntity.status(status)
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.contentLength(bytes.length);
		if (retryAfter != null) {
			// whole seconds, rounded up; the body has the milliseconds
			response.header(HttpHeaders.RETRY_AFTER, Long.toString((retryAfter.toMillis() + 999) / 1000));
		}
		return response.body(bytes);
	}

}
