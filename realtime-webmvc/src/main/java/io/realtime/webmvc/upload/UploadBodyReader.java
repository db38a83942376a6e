package io.realtime.webmvc.upload;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.realtime.webmvc.RefusalLog;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * Reads one request's body into an upload without a thread: the container calls back as bytes
 * arrive, and the request, holding the upload's lock, is answered once the body ended. A body
 * that sends nothing for the idle timeout is ended as a broken connection is: what arrived is
 * kept (with a checksum, all or none), the client is answered {@code 408} and the connection
 * closed.
 *
 * <p>Every end (the body read, the client gone, the idle timeout) runs once, under this
 * object's monitor: the container's callbacks and the timer may race.
 */
final class UploadBodyReader implements ReadListener, AsyncListener {

	private static final Log logger = LogFactory.getLog(UploadBodyReader.class);

	/** How many bytes past the upload's length a body may bring before the request is answered without them. */
	private static final int MAX_EXCESS = 64 * 1024;

	/** One per thread that reads, not one per body: a stalled body holds no buffer. */
	private static final ThreadLocal<byte[]> BUFFERS = ThreadLocal.withInitial(() -> new byte[64 * 1024]);

	private final Upload upload;

	private final UploadStore.Append append;

	private final AsyncContext async;

	private final ServletInputStream in;

	private final Duration idleTimeout;

	private final ScheduledExecutorService timer;

	private final Answer answer;

	private long lastProgressNanos = System.nanoTime();

	private long excess;

	private @Nullable ScheduledFuture<?> idleCheck;

	private boolean ended;

	private UploadBodyReader(Upload upload, UploadStore.Append append, AsyncContext async, ServletInputStream in,
			Duration idleTimeout, ScheduledExecutorService timer, Answer answer) {
		this.upload = upload;
		this.append = append;
		this.async = async;
		this.in = in;
		this.idleTimeout = idleTimeout;
		this.timer = timer;
		this.answer = answer;
	}

	/**
	 * Read the request's body into the upload, whose lock the caller holds and hands over: it is
	 * released once, when the body ended, whatever ended it.
	 * @param answer writes the success answer on the response (its status already set)
	 */
	static void start(HttpServletRequest request, HttpServletResponse response, Upload upload,
			UploadStore.Append append, Duration idleTimeout, ScheduledExecutorService timer, Answer answer)
			throws IOException {
		ServletInputStream in;
		AsyncContext async;
		try {
			in = request.getInputStream();
			async = request.startAsync(request, response);
		}
		catch (IOException | RuntimeException ex) {
			try {
				append.end(ex);
			}
			finally {
				upload.unlock();
			}
			throw ex;
		}
		async.setTimeout(0); // progress, not a total, bounds a body: see the idle check
		UploadBodyReader reader = new UploadBodyReader(upload, append, async, in, idleTimeout, timer, answer);
		async.addListener(reader);
		synchronized (reader) {
			reader.scheduleIdleCheck(idleTimeout.toNanos());
		}
		try {
			in.setReadListener(reader);
		}
		catch (RuntimeException ex) {
			reader.onError(ex);
		}
	}

	@Override
	public synchronized void onDataAvailable() throws IOException {
		byte[] buffer = BUFFERS.get();
		while (!this.ended && this.in.isReady() && !this.in.isFinished()) {
			int read = this.in.read(buffer);
			if (read <= 0) {
				continue;
			}
			this.lastProgressNanos = System.nanoTime();
			int kept = (int) Math.min(read, this.append.remaining());
			if (kept > 0) {
				try {
					this.append.write(buffer, kept);
				}
				catch (IOException ex) {
					end(ex, null);
					return;
				}
			}
			this.excess += read - kept;
			if (this.excess > MAX_EXCESS) {
				// a body longer than the upload (chunked): answered without reading the rest
				end(null, null);
				return;
			}
		}
	}

	@Override
	public synchronized void onAllDataRead() {
		end(null, null);
	}

	@Override
	public synchronized void onError(Throwable ex) {
		end(null, ex);
	}

	@Override
	public void onError(AsyncEvent event) {
		onError((event.getThrowable() != null) ? event.getThrowable() : new IOException("request failed"));
	}

	@Override
	public void onTimeout(AsyncEvent event) {
		onError(new TimeoutException("request timed out"));
	}

	@Override
	public void onComplete(AsyncEvent event) {
		// usually ended before, the reader completing the request itself; else the container
		// gave up on it (shutting down): the upload must not stay locked
		onError(new IOException("request completed by the container"));
	}

	@Override
	public void onStartAsync(AsyncEvent event) {
	}

	private void scheduleIdleCheck(long delayNanos) {
		this.idleCheck = this.timer.schedule(this::checkIdle, delayNanos, TimeUnit.NANOSECONDS);
	}

	private synchronized void checkIdle() {
		if (this.ended) {
			return;
		}
		long idle = System.nanoTime() - this.lastProgressNanos;
		long timeout = this.idleTimeout.toNanos();
		if (idle < timeout) {
			scheduleIdleCheck(timeout - idle);
			return;
		}
		end(null, new TimeoutException("no bytes for " + this.idleTimeout.toMillis() + " ms"));
	}

	/**
	 * End the body once: store or drop what arrived, release the upload, answer and complete.
	 * @param writeFailed the file could not be written
	 * @param broken the body broke off: the client went away or stalled
	 */
	private void end(@Nullable IOException writeFailed, @Nullable Throwable broken) {
		if (this.ended) {
			return;
		}
		this.ended = true;
		if (this.idleCheck != null) {
			this.idleCheck.cancel(false);
		}
		HttpServletRequest request = (HttpServletRequest) this.async.getRequest();
		HttpServletResponse response = (HttpServletResponse) this.async.getResponse();
		int refusal = 0;
		String detail = null;
		try {
			try {
				Exception cause = (writeFailed != null) ? writeFailed
						: (broken instanceof Exception ex) ? ex : (broken != null) ? new IOException(broken) : null;
				this.append.end(cause);
				if (writeFailed != null) {
					refusal = 500;
					detail = "the upload could not be stored";
					logger.error("Upload " + this.upload.id() + " could not be written", writeFailed);
				}
				else if (broken instanceof TimeoutException) {
					refusal = 408;
					detail = "the body sent nothing for " + this.idleTimeout.toMillis() + " ms";
				}
			}
			catch (UploadException ex) {
				refusal = ex.status();
				detail = ex.getMessage();
			}
			catch (IOException | RuntimeException ex) {
				refusal = 500;
				detail = "the upload could not be stored";
				logger.error("Upload " + this.upload.id() + " could not be stored", ex);
			}
			answer(request, response, broken, refusal, detail);
		}
		finally {
			// after the answer, as the completion event's listeners ran under it before
			this.upload.unlock();
		}
		try {
			this.async.complete();
		}
		catch (IllegalStateException ex) {
			// the container completed it already, after an error
		}
	}

	private void answer(HttpServletRequest request, HttpServletResponse response, @Nullable Throwable broken,
			int refusal, @Nullable String detail) {
		try {
			if (broken != null && !(broken instanceof TimeoutException)) {
				// the client went away: nothing to answer
			}
			else if (refusal != 0) {
				RefusalLog.refused(request.getMethod() + " " + request.getRequestURI(), refusal, detail);
				UploadEndpoint.problem(request, response, refusal, String.valueOf(detail));
			}
			else {
				if (this.excess > 0 || !this.in.isFinished()) {
					response.setHeader("Connection", "close");
				}
				this.answer.answer(response);
			}
		}
		catch (IOException | RuntimeException ex) {
			logger.debug("Upload " + this.upload.id() + " answered to no one: " + ex.getMessage());
		}
	}

	/** Writes the answer of a body stored whole. */
	@FunctionalInterface
	interface Answer {

		void answer(HttpServletResponse response) throws IOException;

	}

}
