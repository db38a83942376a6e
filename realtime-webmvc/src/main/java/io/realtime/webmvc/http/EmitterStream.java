package io.realtime.webmvc.http;

import java.io.IOException;
import java.util.Set;
import java.util.concurrent.Executor;

import io.realtime.webmvc.container.ResponseStream;

import org.springframework.http.MediaType;
import org.springframework.web.servlet.mvc.method.annotation.ResponseBodyEmitter.DataWithMediaType;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * An SSE stream on Spring's {@link SseEmitter}, the portable path: events are encoded once by
 * the wire format and sent as they are. The emitter's writes block while the client's socket is
 * full (until the container's write timeout), so they run on an executor for blocking work and
 * never hold up the writers that serve other clients.
 */
final class EmitterStream implements ResponseStream {

	private final SseEmitter emitter;

	private final Executor blocking;

	private final Runnable onFailure;

	EmitterStream(SseEmitter emitter, Executor blocking, Runnable onFailure) {
		this.emitter = emitter;
		this.blocking = blocking;
		this.onFailure = onFailure;
	}

	@Override
	public void write(byte[] bytes, Runnable done) {
		this.blocking.execute(() -> {
			try {
				this.emitter.send(Set.of(new DataWithMediaType(bytes, MediaType.TEXT_PLAIN)));
			}
			catch (IOException | RuntimeException ex) {
				// the client went away: not worth a stack trace
				this.onFailure.run();
				return;
			}
			done.run();
		});
	}

	@Override
	public void close() {
		// after a write in flight, which holds the emitter
		this.blocking.execute(() -> {
			try {
				this.emitter.complete();
			}
			catch (RuntimeException ex) {
				// the container ended the request already (the client left)
			}
		});
	}

}
