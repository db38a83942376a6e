package io.realtime.webmvc.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;

import io.realtime.core.Message;
import io.realtime.webmvc.Admission;
import io.realtime.webmvc.AllowedOrigins;
import io.realtime.webmvc.RealtimeException;
import io.realtime.webmvc.RealtimeException.Reason;
import io.realtime.webmvc.RealtimePublisher;
import io.realtime.webmvc.WireFormat;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.context.request.async.DeferredResult;
import org.springframework.web.context.request.async.DeferredResultProcessingInterceptor;
import org.springframework.web.context.request.async.WebAsyncUtils;

/**
 * {@code POST {base}/publish?topic=}: a client publishes a JSON or text body. Checks run in
 * the protocol's order: origin, the client's rate, topic, authorization, size, media type, body.
 *
 * <p>The body is read without blocking, within a deadline: a client trickling its body holds
 * no thread, and one that has not sent it all in time is answered {@code 408}. A body that
 * arrived whole with the headers is read and answered at once.
 *
 * @since 0.1.0
 */
@RestController
@RequestMapping("${realtime.base-path:/realtime}")
public class PublishEndpoint {

	/** Bodies up to this many bytes are not counted against the bodies in flight. */
	private static final int SMALL_BODY = 8192;

	/** Carries the broker's refusal of a publish answered asynchronously into the dispatch that answers it. */
	private static final String FAILURE = PublishEndpoint.class.getName() + ".failure";

	private final RealtimePublisher publisher;

	private final Admission admission;

	private final WireFormat wire;

	private final AllowedOrigins origins;

	private final Duration bodyTimeout;

	private final long maxBodyBytesInFlight;

	/** Bytes reserved by bodies read asynchronously now, each at most the size limit. */
	private final AtomicLong bodyBytesInFlight = new AtomicLong();

	/**
	 * Create the endpoint.
	 * @param publisher publishes what clients send
	 * @param admission admits topics and sizes
	 * @param wire encodes the reply
	 * @param origins the origin rule a browser's publish follows
	 * @param bodyTimeout how long a client may take to send its body
	 * @param maxBodyBytesInFlight the most bytes of bodies over 8 KB still on their way at once, see
	 * {@link #defaultMaxBodyBytesInFlight()}
	 */
	public PublishEndpoint(RealtimePublisher publisher, Admission admission, WireFormat wire, AllowedOrigins origins,
			Duration bodyTimeout, long maxBodyBytesInFlight) {
		this.publisher = publisher;
		this.admission = admission;
		this.wire = wire;
		this.origins = origins;
		this.bodyTimeout = bodyTimeout;
		this.maxBodyBytesInFlight = maxBodyBytesInFlight;
	}

	/**
	 * The default bound on bodies on their way: a sixteenth of the heap. Bodies read without a
	 * thread are no longer bounded by the container's threads, so many slow ones at once would
	 * otherwise hold up to {@code max-message-size} each.
	 * @return the bytes
	 */
	public static long defaultMaxBodyBytesInFlight() {
		return Runtime.getRuntime().maxMemory() / 16;
	}

	@PostMapping("/publish")
	public @Nullable DeferredResult<ResponseEntity<String>> publish(HttpServletRequest request,
			HttpServletResponse response)
			throws IOException {
		if (request.getAttribute(FAILURE) instanceof RuntimeException failure) {
			// the dispatch of a publish the broker refused after the request went asynchronous
			request.removeAttribute(FAILURE);
			throw failure;
		}
		String topic = null;
		RealtimeException refusal = null;
		try {
			this.origins.check(request);
			this.admission.client(request.getUserPrincipal(), request.getRemoteAddr()).publish();
			topic = this.admission.publish(QueryParameters.of(request).first("topic"), request.getUserPrincipal());
			this.admission.checkSize(request.getContentLengthLong(), "body");
		}
		catch (RealtimeException ex) {
			// answered once what was sent of the body is read, up to the size limit: a container
			// that does not swallow it (Jetty) would otherwise break the client's connection
			refusal = ex;
		}
		ServletInputStream in = request.getInputStream();
		ByteArrayOutputStream arrived = readWhatArrived(in, request.getContentLengthLong());
		if (arrived.size() == request.getContentLengthLong()) {
			// the whole body came with the headers, as a small publish's usually does: answered
			// without the async round trip and second dispatch of a DeferredResult
			if (refusal != null) {
				throw refusal;
			}
			CompletableFuture<Message> accepted = publish(Objects.requireNonNull(topic), arrived.toByteArray(),
					request.getContentType())
				.toCompletableFuture();
			if (accepted.isDone()) {
				writeAccepted(response, join(accepted), true);
				return null;
			}
			answerWhenAccepted(request, response, accepted);
			return null;
		}
		// what the rest of this body may take, held until the request completes; a small body
		// costs no more than the container's own buffers of its connection, and is not counted
		long length = request.getContentLengthLong();
		long reserved = (length >= 0 && length <= SMALL_BODY) ? 0
				: Math.min((length >= 0) ? length : Long.MAX_VALUE, this.admission.maxMessageSize() + 1L);
		if (this.bodyBytesInFlight.addAndGet(reserved) > this.maxBodyBytesInFlight) {
			this.bodyBytesInFlight.addAndGet(-reserved);
			leaveBodyUnread(response);
			throw (refusal != null) ? refusal
					: new RealtimeException(Reason.UNAVAILABLE, "too many publish bodies on their way, try again later");
		}
		DeferredResult<ResponseEntity<String>> result = new DeferredResult<>(this.bodyTimeout.toMillis());
		result.onCompletion(() -> this.bodyBytesInFlight.addAndGet(-reserved));
		result.onTimeout(() -> {
			leaveBodyUnread(response);
			result.setErrorResult(new RealtimeException(Reason.TIMEOUT,
					"the body did not arrive within " + this.bodyTimeout.toMillis() + " ms"));
		});
		BodyReader reader = new BodyReader(in, arrived, topic, refusal, request.getContentType(), response, result);
		// a read listener needs the request in async mode: Spring starts it after this returns
		WebAsyncUtils.getAsyncManager(request).registerDeferredResultInterceptor(BodyReader.class,
				new DeferredResultProcessingInterceptor() {
					@Override
					public <T> void preProcess(NativeWebRequest webRequest, DeferredResult<T> deferred) {
						in.setReadListener(reader);
					}
				});
		return result;
	}

	/**
	 * Read as much of a body of known length as the container already holds, without blocking:
	 * {@code available()} above zero promises a read that does not wait.
	 */
	private ByteArrayOutputStream readWhatArrived(ServletInputStream in, long length) throws IOException {
		ByteArrayOutputStream arrived = new ByteArrayOutputStream();
		if (length < 0 || length > this.admission.maxMessageSize()) {
			return arrived;
		}
		byte[] buffer = new byte[(int) Math.min(length, 8192)];
		while (arrived.size() < length && in.available() > 0) {
			int read = in.read(buffer, 0, (int) Math.min(buffer.length, length - arrived.size()));
			if (read < 0) {
				break;
			}
			arrived.write(buffer, 0, read);
		}
		return arrived;
	}

	/**
	 * Hold the request, but no thread, until the broker has the message (Redis answers over
	 * the network): the reply is written where the broker completes, without dispatching the
	 * request again; only a refusal is dispatched, to be answered as any other. The broker's
	 * own timeout bounds the wait.
	 */
	private void answerWhenAccepted(HttpServletRequest request, HttpServletResponse response,
			CompletableFuture<Message> accepted) {
		AsyncContext async = request.startAsync(request, response);
		async.setTimeout(0);
		accepted.whenComplete((message, ex) -> {
			if (ex == null) {
				try {
					// no Content-Length: the reply stays in the response buffer, so the thread
					// that completes (the broker's) never writes to a slow client's socket;
					// the container sends it as it completes the request
					writeAccepted(response, message, false);
				}
				catch (IOException writeFailed) {
					// the client went away: nothing to answer
				}
				async.complete();
			}
			else {
				request.setAttribute(FAILURE, cause(ex));
				async.dispatch();
			}
		});
	}

	private void writeAccepted(HttpServletResponse response, Message message, boolean contentLength)
			throws IOException {
		byte[] json = this.wire.accepted(message).getBytes(StandardCharsets.UTF_8);
		response.setStatus(HttpStatus.ACCEPTED.value());
		response.setContentType(MediaType.APPLICATION_JSON_VALUE);
		if (contentLength) {
			response.setContentLength(json.length);
		}
		response.getOutputStream().write(json);
	}

	private CompletionStage<Message> publish(String topic, byte[] body, @Nullable String contentType) {
		MediaType type = mediaType(contentType);
		if (MediaType.TEXT_PLAIN.includes(type)) {
			Charset charset = (type.getCharset() != null) ? type.getCharset() : StandardCharsets.UTF_8;
			return this.publisher.publishAsync(topic, new String(body, charset));
		}
		try {
			return this.publisher.publishJsonAsync(topic, new String(body, StandardCharsets.UTF_8));
		}
		catch (IllegalArgumentException ex) {
			throw new RealtimeException(Reason.BAD_REQUEST, ex.getMessage());
		}
	}

	private ResponseEntity<String> accepted(Message message) {
		return ResponseEntity.status(HttpStatus.ACCEPTED)
			.contentType(MediaType.APPLICATION_JSON)
			.body(this.wire.accepted(message));
	}

	private static Message join(CompletableFuture<Message> accepted) {
		try {
			return accepted.join();
		}
		catch (CompletionException ex) {
			throw cause(ex);
		}
	}

	private static RuntimeException cause(Throwable ex) {
		Throwable cause = (ex instanceof CompletionException && ex.getCause() != null) ? ex.getCause() : ex;
		return (cause instanceof RuntimeException runtime) ? runtime : new IllegalStateException(cause);
	}

	/**
	 * Answer before the whole body is read, and close the connection after: a container may
	 * not swallow the rest.
	 */
	private static void leaveBodyUnread(HttpServletResponse response) {
		response.setHeader(HttpHeaders.CONNECTION, "close");
	}

	private static MediaType mediaType(@Nullable String contentType) {
		try {
			if (contentType != null) {
				MediaType type = MediaType.parseMediaType(contentType);
				if (MediaType.TEXT_PLAIN.includes(type) || MediaType.APPLICATION_JSON.isCompatibleWith(type)
						|| "json".equals(type.getSubtypeSuffix())) {
					return type;
				}
			}
		}
		catch (InvalidMediaTypeException ex) {
			// answered as unsupported below
		}
		throw new RealtimeException(Reason.UNSUPPORTED_MEDIA_TYPE, "body must be application/json or text/plain");
	}

	/**
	 * Reads the body as the container receives it, then publishes it on the container's thread,
	 * or answers the refusal decided before.
	 */
	private final class BodyReader implements ReadListener {

		private final ServletInputStream in;

		private final @Nullable String topic;

		private final @Nullable RealtimeException refusal;

		private final @Nullable String contentType;

		private final HttpServletResponse response;

		private final DeferredResult<ResponseEntity<String>> result;

		private final ByteArrayOutputStream body;

		private final byte[] buffer = new byte[4096];

		/** Bytes of the body read so far, kept or not. */
		private long received;

		BodyReader(ServletInputStream in, ByteArrayOutputStream arrived, @Nullable String topic,
				@Nullable RealtimeException refusal, @Nullable String contentType, HttpServletResponse response,
				DeferredResult<ResponseEntity<String>> result) {
			this.in = in;
			this.body = arrived;
			this.received = arrived.size();
			this.topic = topic;
			this.refusal = refusal;
			this.contentType = contentType;
			this.response = response;
			this.result = result;
		}

		@Override
		public void onDataAvailable() throws IOException {
			while (this.in.isReady() && !this.in.isFinished()) {
				int read = this.in.read(this.buffer);
				if (read > 0) {
					this.received += read;
					if (this.refusal == null) {
						// a refused body is only read through, so the connection stays usable
						this.body.write(this.buffer, 0, read);
					}
				}
				try {
					PublishEndpoint.this.admission.checkSize(this.received, "body");
				}
				catch (RealtimeException ex) {
					// past the limit: stop reading, and so the container's callbacks
					leaveBodyUnread(this.response);
					this.result.setErrorResult((this.refusal != null) ? this.refusal : ex);
					return;
				}
			}
		}

		@Override
		public void onAllDataRead() {
			if (this.refusal != null) {
				this.result.setErrorResult(this.refusal);
				return;
			}
			try {
				publish(Objects.requireNonNull(this.topic), this.body.toByteArray(), this.contentType)
					.whenComplete((message, ex) -> {
						if (ex == null) {
							this.result.setResult(accepted(message));
						}
						else {
							this.result.setErrorResult(cause(ex));
						}
					});
			}
			catch (RuntimeException ex) {
				this.result.setErrorResult(ex);
			}
		}

		@Override
		public void onError(Throwable ex) {
			// the client went away or the deadline passed: whatever is answered goes nowhere
			this.result.setErrorResult(new RealtimeException(Reason.TIMEOUT, "the body could not be read"));
		}

	}

}
