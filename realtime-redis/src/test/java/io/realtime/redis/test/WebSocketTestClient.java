package io.realtime.redis.test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * A real WebSocket client (the JDK's) that records every text frame as JSON and the close
 * code.
 */
public final class WebSocketTestClient implements WebSocket.Listener, AutoCloseable {

	private final List<JsonNode> frames = new CopyOnWriteArrayList<>();

	private final StringBuilder partial = new StringBuilder();

	private final CompletableFuture<Integer> closed = new CompletableFuture<>();

	private volatile @Nullable WebSocket socket;

	public static WebSocketTestClient connect(int port, @Nullable String origin) {
		WebSocketTestClient client = new WebSocketTestClient();
		WebSocket.Builder builder = HttpClient.newHttpClient().newWebSocketBuilder()
			.connectTimeout(Duration.ofSeconds(5));
		if (origin != null) {
			builder.header("Origin", origin);
		}
		try {
			client.socket = builder.buildAsync(URI.create("ws://localhost:" + port + "/realtime/ws"), client)
				.get(10, TimeUnit.SECONDS);
		}
		catch (InterruptedException | ExecutionException | TimeoutException ex) {
			throw new IllegalStateException("WebSocket handshake failed", ex);
		}
		return client;
	}

	public WebSocketTestClient send(String json) {
		WebSocket socket = this.socket;
		socket.sendText(json, true).join();
		return this;
	}

	public WebSocket socket() {
		return this.socket;
	}

	/** Every frame received so far. */
	public List<JsonNode> frames() {
		return this.frames;
	}

	public List<JsonNode> frames(String type) {
		return this.frames.stream().filter((frame) -> type.equals(frame.path("type").asString())).toList();
	}

	/** The close code the server sent, once closed. */
	public CompletableFuture<Integer> closed() {
		return this.closed;
	}

	@Override
	public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
		this.partial.append(data);
		if (last) {
			this.frames.add(RealtimeHttpClient.json(this.partial.toString()));
			this.partial.setLength(0);
		}
		webSocket.request(1);
		return null;
	}

	@Override
	public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
		this.closed.complete(statusCode);
		return null;
	}

	@Override
	public void onError(WebSocket webSocket, Throwable error) {
		this.closed.complete(-1);
	}

	@Override
	public void close() {
		WebSocket socket = this.socket;
		if (socket != null && !socket.isOutputClosed()) {
			socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye");
		}
		if (socket != null) {
			socket.abort();
		}
	}

}
