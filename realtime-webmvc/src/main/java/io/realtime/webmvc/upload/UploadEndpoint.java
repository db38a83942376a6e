package io.realtime.webmvc.upload;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Objects;

import io.realtime.webmvc.AllowedOrigins;
import io.realtime.webmvc.RealtimeAuthorizationPolicy;
import io.realtime.webmvc.RealtimeException;
import io.realtime.webmvc.RealtimePublisher;
import io.realtime.webmvc.RefusalLog;
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
 * <p>A {@code PATCH} body is read blocking, one container thread per upload in progress,
 * bounded by the count of unfinished uploads per client.
 *
 * @since 0.1.0
 */
@RestController
@RequestMapping("${realtime.base-path:/realtime}/uploads")
public class UploadEndpoint {

	private static final Log logger = LogFactory.getLog(UploadEndpoint.class);

	static final String VERSION = "1.0.0";

	static final String EXTENSIONS = "creation,creation-with-upload,termination,expiration,checksum";

	static final String OFFSET_OCTET_STREAM = "application/offset+octet-stream";

	/** How long a request waits for another one writing the same upload (a dead connection's) to end. */
	private static final long LOCK_WAIT_MILLIS = 10_000;

	private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);

	private final UploadStore store;

	private final RealtimeAuthorizationPolicy policy;

	private final RealtimePublisher publisher;

	private final ApplicationEventPublisher events;

	private final AllowedOrigins origins;

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
			lock(upload);
			try {
				write(upload, request, response);
			}
			finally {
				upload.unlock();
			}
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
		check(request);
		checkContentType(request);
		long offset = number(request.getHeader("Upload-Offset"), "Upload-Offset");
		Upload upload = find(id, request);
		lock(upload);
		try {
			if (offset != upload.offset()) {
				throw new UploadException(409, "Upload-Offset is " + offset + ", the upload is at " + upload.offset());
			}
			long body = request.getContentLengthLong();
			if (body > upload.length() - offset) {
				throw new UploadException(413, "the body goes past Upload-Length");
			}
			response.setStatus(HttpServletResponse.SC_NO_CONTENT);
			write(upload, request, response);
		}
		finally {
			upload.unlock();
		}
	}

	@RequestMapping(path = "/{id}", method = RequestMethod.DELETE)
	void terminate(@PathVariable String id, HttpServletRequest request, HttpServletResponse response) {
		check(request);
		Upload upload = find(id, request);
		lock(upload);
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

	private void write(Upload upload, HttpServletRequest request, HttpServletResponse response) throws IOException {
		UploadChecksum checksum = UploadChecksum.of(request.getHeader("Upload-Checksum"));
		boolean wasComplete = upload.complete();
		this.store.append(upload, request.getInputStream(), checksum, new UploadProgress(this.publisher, upload.offset()));
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

	private static void lock(Upload upload) {
		try {
			if (!upload.tryLock(LOCK_WAIT_MILLIS)) {
				throw new UploadException(423, "another request is writing to this upload");
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new UploadException(423, "interrupted while waiting for this upload");
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

	private static void problem(HttpServletRequest request, HttpServletResponse response, int status, String detail)
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
