package io.realtime.webmvc.upload;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.realtime.webmvc.AllowedOrigins;
import io.realtime.webmvc.RealtimeAuthorizationPolicy;
import io.realtime.webmvc.RealtimeException;
import io.realtime.webmvc.RealtimePublisher;
import io.realtime.webmvc.RefusalLog;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code {base}/uploads}: resumable uploads speaking tus 1.0.0 with the extensions creation,
 * creation-with-upload, termination, expiration and checksum. Every request but {@code OPTIONS}
 * needs {@code Tus-Resumable: 1.0.0} and follows the origin rule of publish; creation asks the
 * {@link RealtimeAuthorizationPolicy#canUpload authorization policy} and the store's limits.
 * While bytes arrive, progress is published on {@code uploads/<id>}; when the last arrives,
 * a final message, then an {@link UploadCompletedEvent}.
 *
 * <p>A body is read without blocking: an upload in progress holds no container thread while
 * its bytes are on their way, and one whose body sends nothing for the
 * {@link UploadSettings#bodyIdleTimeout() idle timeout} is ended, keeping what arrived. A request
 * finding its upload taken by another one waits for it without a thread too.
 *
 * @since 0.1.0
 */
@RestController
@RequestMapping("${realtime.base-path:/realtime}/uploads")
public class UploadEndpoint implements AutoCloseable {

	private static final Log logger = LogFactory.getLog(UploadEndpoint.class);

	static final String VERSION = "1.0.0";

	static final String EXTENSIONS = "creation,creation-with-upload,termination,expiration,checksum";

	static final String OFFSET_OCTET_STREAM = "application/offset+octet-stream";

	/** How long a request waits for another one writing the same upload (a dead connection's) to end. */
	private static final long LOCK_WAIT_MILLIS = 10_000;

	/** How often a waiting request looks whether the upload is free. */
	private static final long LOCK_POLL_MILLIS = 20;

	/** Set on a request dispatched again once it holds its upload's lock: the upload. */
	private static final String LOCKED = UploadEndpoint.class.getName() + ".locked";

	/** Set on a request dispatched again after waiting in vain for its upload. */
	private static final String NOT_LOCKED = UploadEndpoint.class.getName() + ".notLocked";

	private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);

	private final UploadStore store;

	private final RealtimeAuthorizationPolicy policy;

	private final RealtimePublisher publisher;

	private final ApplicationEventPublisher events;

	private final AllowedOrigins origins;

	/** Ends idle bodies and retries taken locks; its tasks are short. */
	private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor((task) -> {
		Thread thread = new Thread(task, "realtime-upload-timer");
		thread.setDaemon(true);
		return thread;
	});

	/**
	 * Create the endpoint.
	 * @param store the uploads and their limits
	 * @param policy asked who may create an upload
	 * @param publisher publishes progress
	 * @param events receives {@link UploadCompletedEvent}s
	 * @param origins the origin rule
	 */
	public UploadEndpoint(UploadStore store, RealtimeAuthorizationPolicy policy, RealtimePublisher publisher,
			ApplicationEventPublisher events, AllowedOrigins origins) {
		this.store = Objects.requireNonNull(store, "store must not be null");
		this.policy = Objects.requireNonNull(policy, "policy must not be null");
		this.publisher = Objects.requireNonNull(publisher, "publisher must not be null");
		this.events = Objects.requireNonNull(events, "events must not be null");
		this.origins = Objects.requireNonNull(origins, "origins must not be null");
	}

	@RequestMapping(path = { "", "/{id}" }, method = RequestMethod.OPTIONS)
	void options(HttpServletResponse response) {
		response.setStatus(HttpServletResponse.SC_NO_CONTENT);
		response.setHeader("Tus-Resumable", VERSION);
		response.setHeader("Tus-Version", VERSION);
		response.setHeader("Tus-Extension", EXTENSIONS);
		response.setHeader("Tus-Max-Size", Long.toString(this.store.settings().maxSize()));
		response.setHeader("Tus-Checksum-Algorithm", UploadChecksum.SUPPORTED);
	}

	@RequestMapping(method = RequestMethod.POST)
	void create(HttpServletRequest request, HttpServletResponse response) throws IOException {
		check(request);
		long length = number(request.getHeader("Upload-Length"), "Upload-Length");
		if (request.getHeader("Upload-Defer-Length") != null) {
			throw new UploadException(400, "Upload-Defer-Length is not supported");
		}
		String metadata = Objects.requireNonNullElse(request.getHeader("Upload-Metadata"), "");
		boolean withBody = request.getContentLengthLong() > 0 || request.getHeader("Transfer-Encoding") != null;
		if (withBody) {
			checkContentType(request);
		}
		Principal principal = request.getUserPrincipal();
		if (!this.policy.canUpload(principal, length)) {
			throw new UploadException(403, "this client may not upload " + length + " bytes");
		}
		Upload upload = this.store.create(length, metadata, client(principal, request.getRemoteAddr()), principal);
		response.setStatus(HttpServletResponse.SC_CREATED);
		response.setHeader("Location", stripTrailingSlash(request.getRequestURI()) + "/" + upload.id());
		if (withBody || length == 0) {
			// creation-with-upload: the body is the first bytes; a failure keeps the upload for a PATCH
			if (!upload.tryLock()) {
				throw new IllegalStateException("a new upload is taken");
			}
			write(upload, request, response);
		}
		else {
			headers(upload, response);
		}
	}

	@RequestMapping(path = "/{id}", method = RequestMethod.HEAD)
	void head(@PathVariable String id, HttpServletRequest request, HttpServletResponse response) {
		check(request);
		Upload upload = find(id, request);
		response.setStatus(HttpServletResponse.SC_OK);
		response.setHeader("Cache-Control", "no-store");
		response.setHeader("Upload-Length", Long.toString(upload.length()));
		if (!upload.rawMetadata().isEmpty()) {
			response.setHeader("Upload-Metadata", upload.rawMetadata());
		}
		headers(upload, response);
	}

	@RequestMapping(path = "/{id}", method = RequestMethod.PATCH)
	void patch(@PathVariable String id, HttpServletRequest request, HttpServletResponse response) throws IOException {
		Upload upload = waitedFor(request);
		if (upload == null) {
			check(request);
			checkContentType(request);
			number(request.getHeader("Upload-Offset"), "Upload-Offset");
			upload = find(id, request);
			if (!lock(upload, request, response)) {
				return;
			}
		}
		try {
			long offset = number(request.getHeader("Upload-Offset"), "Upload-Offset");
			if (offset != upload.offset()) {
				throw new UploadException(409, "Upload-Offset is " + offset + ", the upload is at " + upload.offset());
			}
			long body = request.getContentLengthLong();
			if (body > upload.length() - offset) {
				throw new UploadException(413, "the body goes past Upload-Length");
			}
		}
		catch (RuntimeException ex) {
			upload.unlock();
			throw ex;
		}
		response.setStatus(HttpServletResponse.SC_NO_CONTENT);
		write(upload, request, response);
	}

	@RequestMapping(path = "/{id}", method = RequestMethod.DELETE)
	void terminate(@PathVariable String id, HttpServletRequest request, HttpServletResponse response) {
		Upload upload = waitedFor(request);
		if (upload == null) {
			check(request);
			upload = find(id, request);
			if (!lock(upload, request, response)) {
				return;
			}
		}
		try {
			this.store.terminate(upload);
		}
		finally {
			upload.unlock();
		}
		response.setStatus(HttpServletResponse.SC_NO_CONTENT);
		response.setHeader("Tus-Resumable", VERSION);
	}

	@ExceptionHandler
	void refused(UploadException ex, HttpServletRequest request, HttpServletResponse response) throws IOException {
		RefusalLog.refused(request.getMethod() + " " + request.getRequestURI(), ex.status(), ex.getMessage());
		problem(request, response, ex.status(), ex.getMessage());
	}

	@ExceptionHandler
	void forbidden(RealtimeException ex, HttpServletRequest request, HttpServletResponse response) throws IOException {
		RefusalLog.refused(request.getMethod() + " " + request.getRequestURI(), ex.reason().status(), ex.getMessage());
		problem(request, response, ex.reason().status(), ex.getMessage());
	}

	/** Close the timer of idle bodies and waiting requests. */
	@Override
	public void close() {
		this.timer.shutdownNow();
	}

	/**
	 * Store the request's body in an upload whose lock the caller holds and hands over: released
	 * here when the body is empty or refused, else by the reader once the body ended.
	 */
	private void write(Upload upload, HttpServletRequest request, HttpServletResponse response) throws IOException {
		UploadStore.Append append;
		try {
			UploadChecksum checksum = UploadChecksum.of(request.getHeader("Upload-Checksum"));
			append = this.store.open(upload, checksum, new UploadProgress(this.publisher, upload.offset()));
		}
		catch (RuntimeException | IOException ex) {
			upload.unlock();
			throw ex;
		}
		boolean wasComplete = upload.complete();
		if (request.getContentLengthLong() == 0 && request.getHeader("Transfer-Encoding") == null) {
			try {
				append.end(null);
				answer(upload, wasComplete, response);
			}
			finally {
				upload.unlock();
			}
			return;
		}
		UploadBodyReader.start(request, response, upload, append, this.store.settings().bodyIdleTimeout(), this.timer,
				(answered) -> answer(upload, wasComplete, answered));
	}

	private void answer(Upload upload, boolean wasComplete, HttpServletResponse response) {
		headers(upload, response);
		if (upload.complete() && !wasComplete) {
			UploadProgress.publish(this.publisher, upload);
			try {
				this.events.publishEvent(new UploadCompletedEvent(upload.id(), upload.file(), upload.length(),
						upload.metadata(), upload.principal()));
			}
			catch (RuntimeException ex) {
				logger.error("A listener of the completion of upload " + upload.id() + " failed", ex);
			}
		}
	}

	private void headers(Upload upload, HttpServletResponse response) {
		response.setHeader("Tus-Resumable", VERSION);
		response.setHeader("Upload-Offset", Long.toString(upload.offset()));
		if (!upload.complete()) {
			response.setHeader("Upload-Expires", HTTP_DATE.format(upload.expires()));
		}
	}

	private void check(HttpServletRequest request) {
		if (!VERSION.equals(request.getHeader("Tus-Resumable"))) {
			throw new UploadException(412, "Tus-Resumable must be " + VERSION);
		}
		this.origins.check(request);
	}

	private static void checkContentType(HttpServletRequest request) {
		String type = request.getContentType();
		if (type == null || !type.split(";")[0].trim().equalsIgnoreCase(OFFSET_OCTET_STREAM)) {
			throw new UploadException(415, "Content-Type must be " + OFFSET_OCTET_STREAM);
		}
	}

	/** An upload the request may see: one a user created is hidden from everyone else. */
	private Upload find(String id, HttpServletRequest request) {
		Upload upload = this.store.find(id);
		Principal principal = request.getUserPrincipal();
		if (upload == null || (upload.principal() != null
				&& (principal == null || !upload.principal().getName().equals(principal.getName())))) {
			throw new UploadException(404, "no such upload");
		}
		return upload;
	}

	/**
	 * Take the upload for this request. A client that lost its connection comes back while the
	 * server may still be reading the dead one, so a short wait beats refusing at once: the
	 * request goes asynchronous, holding no thread, and is dispatched again once it holds the
	 * lock or gave up ({@code 423}).
	 * @return whether the lock is held now; if not, the request is waiting and this dispatch is over
	 */
	private boolean lock(Upload upload, HttpServletRequest request, HttpServletResponse response) {
		if (upload.tryLock()) {
			return true;
		}
		AsyncContext async = request.startAsync(request, response);
		async.setTimeout(0);
		long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LOCK_WAIT_MILLIS);
		this.timer.schedule(() -> waitForLock(upload, async, deadline), LOCK_POLL_MILLIS, TimeUnit.MILLISECONDS);
		return false;
	}

	/**
	 * The upload whose lock this request, dispatched again after waiting for it, holds now; its
	 * checks passed before the wait.
	 * @return the upload, or {@code null} on a request's first dispatch
	 * @throws UploadException 423 when the wait was in vain
	 */
	private static @Nullable Upload waitedFor(HttpServletRequest request) {
		if (request.getAttribute(NOT_LOCKED) != null) {
			request.removeAttribute(NOT_LOCKED);
			throw new UploadException(423, "another request is writing to this upload");
		}
		Upload upload = (Upload) request.getAttribute(LOCKED);
		request.removeAttribute(LOCKED);
		return upload;
	}

	private void waitForLock(Upload upload, AsyncContext async, long deadline) {
		if (upload.tryLock()) {
			async.getRequest().setAttribute(LOCKED, upload);
		}
		else if (System.nanoTime() - deadline < 0) {
			this.timer.schedule(() -> waitForLock(upload, async, deadline), LOCK_POLL_MILLIS, TimeUnit.MILLISECONDS);
			return;
		}
		else {
			async.getRequest().setAttribute(NOT_LOCKED, Boolean.TRUE);
		}
		try {
			async.dispatch();
		}
		catch (IllegalStateException ex) {
			// the request ended while it waited
			if (async.getRequest().getAttribute(LOCKED) == upload) {
				upload.unlock();
			}
		}
	}

	private static long number(@Nullable String header, String name) {
		try {
			long value = Long.parseLong(Objects.requireNonNull(header, name));
			if (value >= 0 && header.chars().allMatch(Character::isDigit)) {
				return value;
			}
		}
		catch (NumberFormatException | NullPointerException ex) {
			// answered below
		}
		throw new UploadException(400, name + " must be a non-negative integer");
	}

	/** The same identity as the per-client limits: the user, else the address. */
	private static String client(@Nullable Principal principal, String address) {
		return (principal != null) ? "principal:" + principal.getName() : "address:" + address;
	}

	private static String stripTrailingSlash(String path) {
		return path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
	}

	static void problem(HttpServletRequest request, HttpServletResponse response, int status, String detail)
			throws IOException {
		if (response.isCommitted()) {
			return;
		}
		response.resetBuffer();
		response.setStatus(status);
		if (request.getContentLengthLong() > 0 || request.getHeader("Transfer-Encoding") != null) {
			// the body may be unread, and may be the rest of a large file: the client should stop
			// sending it rather than wait for the container to swallow it
			response.setHeader("Connection", "close");
		}
		response.setHeader("Tus-Resumable", VERSION);
		if (status == 412) {
			response.setHeader("Tus-Version", VERSION);
		}
		response.setContentType("application/problem+json");
		byte[] body = ("{\"detail\":\"" + detail.replace("\\", "\\\\").replace("\"", "\\\"") + "\",\"status\":" + status
				+ "}").getBytes(StandardCharsets.UTF_8);
		response.setContentLength(body.length);
		response.getOutputStream().write(body);
	}

}
