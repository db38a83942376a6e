package io.realtime.bench.load;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * STOMP 1.2 over a raw WebSocket, as Spring's {@code /stomp} endpoint speaks it: CONNECT,
 * SUBSCRIBE, then MESSAGE frames; server heartbeats are single newlines.
 */
final class StompClient extends WebSocketClient {

	private static final byte[] MESSAGE = "MESSAGE".getBytes();

	private static final byte[] CONNECTED = "CONNECTED".getBytes();

	private static final byte[] ERROR = "ERROR".getBytes();

	StompClient(IoLoop loop, Endpoint endpoint, int topic) {
		super(loop, endpoint, topic);
	}

	@Override
	String path() {
		return "/stomp";
	}

	@Override
	String subprotocol() {
		return "v12.stomp";
	}

	@Override
	void onOpen() {
		sendText("CONNECT\naccept-version:1.2\nhost:" + this.endpoint.address().getHostString()
				+ "\nheart-beat:0,5000\n\n\0");
	}

	@Override
	void onText(byte[] bytes, int offset, int length) {
		if (startsWith(bytes, offset, length, MESSAGE)) {
			ticks(bytes, offset, offset + length);
		}
		else if (startsWith(bytes, offset, length, CONNECTED)) {
			sendText("SUBSCRIBE\nid:0\ndestination:/topic/" + topicName() + "\n\n\0");
			// the server counts registered subscriptions: STOMP confirms none without a receipt
			markReady();
		}
		else if (startsWith(bytes, offset, length, ERROR)) {
			fail(new IOException(new String(bytes, offset, length, StandardCharsets.UTF_8)));
		}
	}

}
