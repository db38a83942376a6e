package io.realtime.webmvc.websocket;

import java.net.InetSocketAddress;
import java.util.Map;

import io.realtime.core.Broker;
import io.realtime.webmvc.Admission;
import io.realtime.webmvc.ClientLimits;
import io.realtime.webmvc.ConnectionRegistry;
import io.realtime.webmvc.RealtimeMetrics;
import io.realtime.webmvc.RealtimePresence;
import io.realtime.webmvc.RealtimeException;
import io.realtime.webmvc.RealtimeException.Reason;
import io.realtime.webmvc.RealtimePublisher;
import io.realtime.webmvc.WireFormat;
import io.realtime.webmvc.container.ContainerFastPaths;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.server.ServerHttpRequest;
import org.springframework.http.server.ServerHttpResponse;
import org.springframework.http.server.ServletServerHttpRequest;
import org.springframework.web.socket.BinaryMessage;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.PongMessage;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.WebSocketMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.server.HandshakeInterceptor;

/**
 * {@code {base}/ws}: JSON frames to subscribe, unsubscribe, publish and ping over one
 * connection. Each session gets a {@link WebSocketProtocol} for what it sends and a
 * {@link WebSocketConnection}, the one bounded write path, for what it receives.
 *
 * @since 0.1.0
 */
public class RealtimeWebSocketHandler implements WebSocketHandler {

	private static final String REMOTE_ADDRESS = RealtimeWebSocketHandler.class.getName() + ".remoteAddress";


	private static final String PROTOCOL = "realtime.protocol";

	private final Broker broker;

	private final RealtimePublisher publisher;

	private final Admission admission;

	private final ConnectionRegistry connections;

	private final RealtimeMetrics metrics;

	private final JsonMapper jsonMapper;

	private final WireFormat wire;

	private final ContainerFastPaths fastPaths;

	private final WebSocketSettings settings;

	private final RealtimePresence presence;

	public RealtimeWebSocketHandler(Broker broker, RealtimePublisher publisher, Admission admission,
			ConnectionRegistry connections, RealtimeMetrics metrics, JsonMapper jsonMapper, WireFormat wire,
			ContainerFastPaths fastPaths, WebSocketSettings settings) {
		this(broker, publisher, admission, connections, metrics, jsonMapper, wire, fastPaths, settings,
				RealtimePresence.off());
	}

	/**
	 * Create the handler.
	 * @param broker the broker
	 * @param publisher publishes clients' messages
	 * @param admission admits frames
	 * @param connections the open connections
	 * @param metrics the metrics
	 * @param jsonMapper reads frames
	 * @param wire the wire format
	 * @param fastPaths the container's fast paths
	 * @param settings the settings
	 * @param presence presence on the topics subscribed to
	 * @since 0.1.0
	 */
	public RealtimeWebSocketHandler(Broker broker, RealtimePublisher publisher, Admission admission,
			ConnectionRegistry connections, RealtimeMetrics metrics, JsonMapper jsonMapper, WireFormat wire,
			ContainerFastPaths fastPaths, WebSocketSettings settings, RealtimePresence presence) {
		this.presence = presence;
		this.broker = broker;
		this.publisher = publisher;
		this.admission = admission;
		this.connections = connections;
		this.metrics = metrics;
		this.jsonMapper = jsonMapper;
		this.wire = wire;
		this.fastPaths = fastPaths;
		this.settings = settings;
		connections.heartbeat(WebSocketConnection.TRANSPORT, settings.pingInterval());
	}

	@Override
	public void afterConnectionEstablished(WebSocketSession session) throws Exception {
		this.fastPaths.tune(session);
		WebSocketConnection connection = new WebSocketConnection(session, this.connections, this.metrics,
				this.fastPaths, this.settings);
		ClientLimits.Client client = this.admission.client(session.getPrincipal(), remoteAddress(session));
		try {
			this.connections.open(connection, client);
		}
		catch (RealtimeException ex) {
			// 1013 either way: the client retries after a back-off, as the protocol says
			session.close(CloseStatus.SERVICE_OVERLOAD.withReason(
					(ex.reason() == Reason.RATE_LIMITED) ? "too many connections" : "connection limit reached"));
			return;
		}
		session.getAttributes()
			.put(PROTOCOL, new WebSocketProtocol(connection, this.broker, this.publisher, this.admission, this.metrics,
					this.jsonMapper, this.wire, session.getPrincipal(), client, this.presence));
		session.getAttributes().put(WebSocketConnection.class.getName(), connection);
		connection.start();
	}

	@Override
	public void handleMessage(WebSocketSession session, WebSocketMessage<?> message) {
		WebSocketProtocol protocol = (WebSocketProtocol) session.getAttributes().get(PROTOCOL);
		if (protocol == null) {
			return;
		}
		if (message instanceof TextMessage text) {
			protocol.receive(text.getPayload(), text.isLast());
		}
		else if (message instanceof PongMessage) {
			WebSocketConnection connection = connection(session);
			if (connection != null) {
				connection.pong();
			}
		}
		else if (message instanceof BinaryMessage binary && binary.isLast()) {
			protocol.receiveBinary();
		}
	}

	@Override
	public void handleTransportError(WebSocketSession session, Throwable exception) {
		release(session);
	}

	@Override
	public void afterConnectionClosed(WebSocketSession session, CloseStatus closeStatus) {
		release(session);
	}

	/**
	 * Partial messages keep the container's message buffer small: asking it for
	 * whole frames up to our limit would make it hold a buffer of that size (two bytes per
	 * character) for every connection that ever sent a frame. The rare frame larger than the
	 * buffer is joined by the protocol.
	 */
	@Override
	public boolean supportsPartialMessages() {
		return true;
	}

	private static void release(WebSocketSession session) {
		WebSocketConnection connection = connection(session);
		if (connection != null) {
			connection.release();
		}
	}

	/**
	 * Keeps the handshake request's {@code getRemoteAddr()} for the session, so a client is the
	 * same one on every transport: behind trusted forwarded headers that is the client's
	 * address, where the session's own (Jetty's) is the socket's. Register it on the handshake.
	 * @return the interceptor
	 */
	public static HandshakeInterceptor clientAddress() {
		return new HandshakeInterceptor() {

			@Override
			public boolean beforeHandshake(ServerHttpRequest request, ServerHttpResponse response,
					WebSocketHandler handler, Map<String, Object> attributes) {
				if (request instanceof ServletServerHttpRequest servlet) {
					attributes.put(REMOTE_ADDRESS, servlet.getServletRequest().getRemoteAddr());
				}
				return true;
			}

			@Override
			public void afterHandshake(ServerHttpRequest request, ServerHttpResponse response,
					WebSocketHandler handler, @Nullable Exception exception) {
			}

		};
	}

	/** The handshake's remote address (see {@link #clientAddress()}), else the session's. */
	private static @Nullable String remoteAddress(WebSocketSession session) {
		if (session.getAttributes().get(REMOTE_ADDRESS) instanceof String address) {
			return address;
		}
		InetSocketAddress address = session.getRemoteAddress();
		if (address == null) {
			return null;
		}
		return (address.getAddress() != null) ? address.getAddress().getHostAddress() : address.getHostString();
	}

	private static @Nullable WebSocketConnection connection(WebSocketSession session) {
		return (WebSocketConnection) session.getAttributes().get(WebSocketConnection.class.getName());
	}

}
