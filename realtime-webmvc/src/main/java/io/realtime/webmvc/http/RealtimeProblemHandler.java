package io.realtime.webmvc.http;

import java.time.Duration;

import io.realtime.core.BrokerUnavailableException;
import io.realtime.core.InvalidCursorException;
import io.realtime.core.InvalidTopicException;
import io.realtime.core.PresenceLimitException;
import io.realtime.core.TopicLimitException;
import io.realtime.webmvc.RealtimeException;
import io.realtime.webmvc.RealtimeMetrics;
import io.realtime.webmvc.RefusalLog;
import jakarta.servlet.http.HttpServletRequest;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
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
	ResponseEntity<ProblemDetail> refused(RealtimeException ex, HttpServletRequest request) {
		ResponseEntity<ProblemDetail> problem = problem(request, HttpStatus.valueOf(ex.reason().status()),
				ex.getMessage());
		Duration retryAfter = ex.retryAfter();
		if (retryAfter == null) {
			return problem;
		}
		// the header counts whole seconds, rounded up; the body keeps the milliseconds, which the
		// browser client waits for, as it does for a WebSocket error frame's
		problem.getBody().setProperty("retryAfter", retryAfter.toMillis());
		return ResponseEntity.status(problem.getStatusCode())
			.headers(problem.getHeaders())
			.header(HttpHeaders.RETRY_AFTER, Long.toString((retryAfter.toMillis() + 999) / 1000))
			.body(problem.getBody());
	}

	@ExceptionHandler({ InvalidTopicException.class, InvalidCursorException.class })
	ResponseEntity<ProblemDetail> badRequest(IllegalArgumentException ex, HttpServletRequest request) {
		return problem(request, HttpStatus.BAD_REQUEST, ex.getMessage());
	}

	@ExceptionHandler
	ResponseEntity<ProblemDetail> unavailable(BrokerUnavailableException ex, HttpServletRequest request) {
		return problem(request, HttpStatus.SERVICE_UNAVAILABLE, ex.getMessage());
	}

	@ExceptionHandler
	ResponseEntity<ProblemDetail> overCapacity(TopicLimitException ex, HttpServletRequest request) {
		return problem(request, HttpStatus.SERVICE_UNAVAILABLE, ex.getMessage());
	}

	@ExceptionHandler
	ResponseEntity<ProblemDetail> overCapacity(PresenceLimitException ex, HttpServletRequest request) {
		return problem(request, HttpStatus.SERVICE_UNAVAILABLE, ex.getMessage());
	}

	@ExceptionHandler
	ResponseEntity<ProblemDetail> failed(RuntimeException ex) {
		logger.error("Realtime request failed", ex);
		this.metrics.rejected();
		return ResponseEntity.status(HttpStatus.INTERNAL_SERVER_ERROR)
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.body(ProblemDetail.forStatusAndDetail(HttpStatus.INTERNAL_SERVER_ERROR, "the request could not be processed"));
	}

	private ResponseEntity<ProblemDetail> problem(HttpServletRequest request, HttpStatus status, String detail) {
		this.metrics.rejected();
		RefusalLog.refused(request.getMethod() + " " + request.getRequestURI(), status.value(), detail);
		return ResponseEntity.status(status)
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.body(ProblemDetail.forStatusAndDetail(status, detail));
	}

}
