package io.realtime.webmvc.http;

import java.io.IOException;
import java.security.Principal;
import java.util.List;
import java.util.Map;

import io.realtime.core.Broker;
import io.realtime.core.PresenceListener;
import io.realtime.core.PresenceMember;
import io.realtime.webmvc.Admission;
import io.realtime.webmvc.ConnectionRegistry;
import io.realtime.webmvc.RealtimeMetrics;
import io.realtime.webmvc.RealtimePresence;
import io.realtime.webmvc.WireFormat;
import io.realtime.webmvc.container.ContainerFastPaths;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.jspecify.annotations.Nullable;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * {@code GET {base}/sse?topic=…[&since=…][&rewind=…]}: a Server-Sent Events stream. Every event's {@code id} is the
 * cursor after it, so a browser's automatic reconnect (with {@code Last-Event-ID}) resumes every
 * topic. The stream is an {@link SseEmitter}, or, where the container's fast path allows it
 * ({@link ContainerFastPaths#detach}), a response carried past its request so it keeps none of
 * the request's buffers.
 *
 * @since 0.1.0
 */
@RestController
@RequestMapping("${realtime.base-path:/realtime}")
public class SseEndpoint {

	/** No timeout for the emitter: heartbeats find clients that left. */
	private static final long NO_TIMEOUT = 0;

	private final Broker broker;

	private final Admission admission;

	private final ConnectionRegistry connections;

	private final RealtimeMetrics metrics;

	private final WireFormat wire;

	private final ContainerFastPaths fastPaths;

	private final SseSettings settings;

	private final RealtimePresence presence;

	public SseEndpoint(Broker broker, Admission admission, ConnectionRegistry connections, RealtimeMetrics metrics,
			WireFormat wire, ContainerFastPaths fastPaths, SseSettings settings) {
		this(broker, admission, connections, metrics, wire, fastPaths, settings, RealtimePresence.off());
	}

	/**
	 * Create the endpoint.
	 * @param broker the broker
	 * @param admission admits requests
	 * @param connections the open connections
	 * @param metrics the metrics
	 * @param wire the wire format
	 * @param fastPaths the container's fast paths
	 * @param settings the settings
	 * @param presence presence on the streams' topics
	 * @since 0.1.0
	 */
	public SseEndpoint(Broker broker, Admission admission, ConnectionRegistry connections, RealtimeMetrics metrics,
			WireFormat wire, ContainerFastPaths fastPaths, SseSettings settings, RealtimePresence presence) {
		this.presence = presence;
		this.broker = broker;
		this.admission = admission;
		this.connections = connections;
		this.metrics = metrics;
		this.wire = wire;
		this.fastPaths = fastPaths;
		this.settings = settings;
		connections.heartbeat(SseConnection.TRANSPORT, settings.heartbeat());
	}

	@GetMapping("/sse")
	public @Nullable SseEmitter sse(@RequestHeader(name = "Last-Event-ID", required = false) @Nullable String lastEventId,
			HttpServletRequest request, HttpServletResponse response) throws IOException, ServletException {
		QueryParameters query = QueryParameters.of(request);
		// on an automatic reconnect the browser repeats the original URL: the header is newer
		boolean reconnect = lastEventId != null && !lastEventId.isBlank();
		String resumeFrom = reconnect ? lastEventId : query.first("cursor");
		Map<String, @Nullable String> from = SubscribeRequest.positions(this.broker, this.admission, resumeFrom,
				!reconnect, query, request);
		List<String> present = from.keySet().stream().filter(this.presence::isOn).toList();
		String info = this.presence.info(query.first("info"));
		boolean news = this.presence.wantsNews(query.first("presence"));
		if (news) {
			present.forEach((topic) -> this.admission.seePresence(topic, request.getUserPrincipal()));
		}
		// read before opening: a cursor the broker refuses must not leave a connection registered
		Batch start = Batch.read(this.broker, from, 0);
		// the topic limit is answered here: once taken over, a stream could only close
		this.broker.checkRoomFor(from.keySet());
		SseConnection connection = new SseConnection(this.connections, this.metrics, this.wire, this.settings);
		this.connections.open(connection, this.admission.client(request.getUserPrincipal(), request.getRemoteAddr()));
		response.setHeader("Cache-Control", "no-cache, no-transform");
		response.setHeader("X-Accel-Buffering", "no");
		try {
			present(connection, present, request.getUserPrincipal(), info, news);
			if (this.settings.detach() && this.fastPaths.canDetach(request)) {
				response.setContentType("text/event-stream;charset=UTF-8");
				this.fastPaths.detach(request, response, connection.detached(this.broker, start),
						this.settings.sendTimeLimit());
				return null;
			}
			SseEmitter emitter = new SseEmitter(NO_TIMEOUT);
			emitter.onCompletion(connection::release);
			emitter.onTimeout(connection::closed);
			emitter.onError((ex) -> connection.closed());
			connection.start(new EmitterStream(emitter, this.connections.blocking(), connection::closed), this.broker,
					start);
			return emitter;
		}
		catch (IOException | ServletException | RuntimeException ex) {
			connection.release();
			throw ex;
		}
	}

	/** Make the stream present on its topics at once, and tell it the news once it starts. */
	private void present(SseConnection connection, List<String> topics, @Nullable Principal principal,
			@Nullable String info, boolean news) {
		if (topics.isEmpty()) {
			return;
		}
		String id = RealtimePresence.connectionId();
		for (String topic : topics) {
			connection.hold(this.presence.join(topic, id, principal, info));
		}
		if (news) {
			PresenceListener listener = new PresenceListener() {

				@Override
				public void onJoin(String topic, PresenceMember member) {
					connection.event(SseEndpoint.this.wire.ssePresenceChange(true, topic, member));
				}

				@Override
				public void onLeave(String topic, PresenceMember member) {
					connection.event(SseEndpoint.this.wire.ssePresenceChange(false, topic, member));
				}

			};
			connection.onStart(() -> topics
				.forEach((topic) -> connection.hold(this.presence.listen(topic, id, listener))));
		}
	}

}
