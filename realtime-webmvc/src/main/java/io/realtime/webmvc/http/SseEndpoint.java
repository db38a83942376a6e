package io.realtime.webmvc.http;

import java.io.IOException;
import java.util.Map;

import io.realtime.core.Broker;
import io.realtime.webmvc.ConnectionRegistry;
import io.realtime.webmvc.RealtimeException;
import io.realtime.webmvc.RealtimeException.Reason;
import io.realtime.webmvc.RealtimeMetrics;
import io.realtime.webmvc.TopicAccess;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.jspecify.annotations.Nullable;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET {base}/sse?topic=…}: a Server-Sent Events stream. Every event's {@code id} is the
 * cursor after it, so a browser's automatic reconnect (with {@code Last-Event-ID}) resumes every
 * topic. Events are written without blocking; on Tomcat over HTTP/1.1 the open stream is carried
 * past its request (see {@link DetachedConnection}) so it keeps none of the request's buffers.
 *
 * @since 0.1.0
 */
@RestController
@RequestMapping("${realtime.base-path:/realtime}")
public class SseEndpoint {

	private final Broker broker;

	private final TopicAccess access;

	private final ConnectionRegistry connections;

	private final RealtimeMetrics metrics;

	private final SseSettings settings;

	private final MessageEvents events = new MessageEvents();

	public SseEndpoint(Broker broker, TopicAccess access, ConnectionRegistry connections, RealtimeMetrics metrics,
			SseSettings settings) {
		this.broker = broker;
		this.access = access;
		this.connections = connections;
		this.metrics = metrics;
		this.settings = settings;
		connections.heartbeat(SseConnection.TRANSPORT, settings.heartbeat());
	}

	@GetMapping("/sse")
	public void sse(@RequestParam(name = "cursor", required = false) @Nullable String cursor,
			@RequestHeader(name = "Last-Event-ID", required = false) @Nullable String lastEventId,
			HttpServletRequest request, HttpServletResponse response) throws IOException, ServletException {
		// on an automatic reconnect the browser repeats the original URL: the header is newer
		String resumeFrom = (lastEventId != null && !lastEventId.isBlank()) ? lastEventId : cursor;
		Map<String, @Nullable String> from = SubscribeRequest.positions(this.access, resumeFrom, request);
		// read before opening: a cursor the broker refuses must not leave a connection registered
		Batch start = Batch.read(this.broker, from, 0);
		SseConnection connection = new SseConnection(this.connections, this.metrics, this.settings, this.events);
		if (!this.connections.open(connection)) {
			throw new RealtimeException(Reason.UNAVAILABLE, "connection limit reached");
		}
		response.setContentType("text/event-stream;charset=UTF-8");
		response.setHeader("Cache-Control", "no-cache, no-transform");
		response.setHeader("X-Accel-Buffering", "no");
		try {
			if (this.settings.detach() && DetachedConnection.supported(request)) {
				DetachedConnection.detach(request, response, connection.detached(this.broker, start),
						this.settings.sendTimeLimit());
			}
			else {
				AsyncContext async = request.startAsync();
				async.setTimeout(0);
				async.addListener(new Completion(connection));
				response.flushBuffer();
				ResponseOutput output = new ResponseOutput(response.getOutputStream(), connection::closed,
						async::complete);
				connection.start(output, this.broker, start);
			}
		}
		catch (IOException | ServletException | RuntimeException ex) {
			connection.release();
			throw ex;
		}
	}

	/** Ends the stream when the container ends the request (client gone, server stopping). */
	private record Completion(SseConnection connection) implements AsyncListener {

		@Override
		public void onComplete(AsyncEvent event) {
			this.connection.release();
		}

		@Override
		public void onTimeout(AsyncEvent event) {
			this.connection.closed();
		}

		@Override
		public void onError(AsyncEvent event) {
			this.connection.closed();
		}

		@Override
		public void onStartAsync(AsyncEvent event) {
		}

	}

}
