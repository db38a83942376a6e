package io.realtime.bench.load;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** Our WebSocket protocol: {@code subscribe}, then {@code subscribed}, then {@code message} frames. */
final class RealtimeWebSocketClient extends WebSocketClient {

	private static final byte[] MESSAGE = "{\"type\":\"message\"".getBytes();

	private static final byte[] SUBSCRIBED = "{\"type\":\"subscribed\"".getBytes();

	RealtimeWebSocketClient(IoLoop loop, Endpoint endpoint, int topic) {
		super(loop, endpoint, topic);
	}

	@Override
	String path() {
		return "/realtime/ws";
	}

	@Override
	void onOpen() {
		sendText("{\"type\":\"subscribe\",\"topic\":\"" + topicName() + "\"}");
	}

	@Override
	void onText(byte[] bytes, int offset, int length) {
		if (startsWith(bytes, offset, length, MESSAGE)) {
			ticks(bytes, offset, offset + length);
		}
		else if (startsWith(bytes, offset, length, SUBSCRIBED)) {
			markReady();
		}
		else if (length > 0 && !new String(bytes, offset, length, StandardCharsets.UTF_8).contains("pong")) {
			fail(new IOException(new String(bytes, offset, length, StandardCharsets.UTF_8)));
		}
	}

}
