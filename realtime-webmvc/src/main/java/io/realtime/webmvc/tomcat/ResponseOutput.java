package io.realtime.webmvc.tomcat;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import io.realtime.webmvc.container.ResponseStream;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import org.jspecify.annotations.Nullable;

/**
 * The body of a taken-over response written to its non-blocking {@link ServletOutputStream}:
 * a write the socket cannot take at once completes on the container's {@code onWritePossible},
 * so a stalled client holds no thread.
 */
final class ResponseOutput implements ResponseStream, WriteListener {

	private final ServletOutputStream out;

	private final Runnable onFailure;

	private final Runnable closer;

	/** The write in flight: its bytes until handed to the stream, then only its callback. */
	private final AtomicReference<@Nullable Pending> pending = new AtomicReference<>();

	/** From a write's start until the stream is ready again: ending the response must wait. */
	private volatile boolean writing;

	private volatile boolean closing;

	private final AtomicBoolean ended = new AtomicBoolean();

	/**
	 * @param out the stream; this becomes its write listener
	 * @param onFailure told when a write fails, before the response is ended
	 * @param closer ends the response or closes the connection
	 */
	ResponseOutput(ServletOutputStream out, Runnable onFailure, Runnable closer) {
		this.out = out;
		this.onFailure = onFailure;
		this.closer = closer;
		out.setWriteListener(this);
	}

	@Override
	public void write(byte[] bytes, Runnable done) throws IOException {
		this.writing = true;
		if (this.closing) {
			finished(done);
			return;
		}
		this.pending.set(new Pending(bytes, done));
		if (this.out.isReady()) {
			onWritePossible();
		}
		// otherwise the container calls onWritePossible once the socket drained
	}

	@Override
	public void onWritePossible() throws IOException {
		// the writer and the container may both get here: only one takes the pending write
		Pending next = this.pending.getAndSet(null);
		if (next == null) {
			return;
		}
		if (next.bytes() != null) {
			this.out.write(next.bytes());
			if (!this.out.isReady()) {
				await(next.done());
				return;
			}
		}
		flush(next.done());
	}

	/** Flush, then call back once the stream is ready again. */
	private void flush(Runnable done) throws IOException {
		this.out.flush();
		if (!this.out.isReady()) {
			await(done);
			return;
		}
		finished(done);
	}

	/**
	 * Leave the callback for the container's next onWritePossible, or go on here if that came
	 * already: the write is not done (nor may the response end) until a flush leaves it ready.
	 */
	private void await(Runnable done) throws IOException {
		Pending rest = new Pending(null, done);
		this.pending.set(rest);
		if (this.out.isReady() && this.pending.compareAndSet(rest, null)) {
			flush(done);
		}
	}

	private void finished(Runnable done) {
		this.writing = false;
		if (this.closing) {
			end();
		}
		else {
			done.run();
		}
	}

	@Override
	public void onError(Throwable failure) {
		// the client went away: not worth a stack trace
		this.closing = true;
		this.writing = false;
		this.onFailure.run();
		end();
	}

	/**
	 * End the stream now, or once the write in flight completes or fails: a container may not end
	 * a response while a non-blocking write of it waits for the client.
	 */
	@Override
	public void close() {
		this.closing = true;
		if (!this.writing) {
			end();
		}
	}

	private void end() {
		if (this.ended.compareAndSet(false, true)) {
			try {
				this.closer.run();
			}
			catch (Exception ex) {
				// already closed or ended by the container
			}
		}
	}

	private record Pending(byte @Nullable [] bytes, Runnable done) {
	}

}
