package io.realtime.bench.load;

/**
 * Engine.IO 4 over a raw WebSocket with Socket.IO 4 packets: {@code 0} open, {@code 40} connect,
 * {@code 42[...]} events, {@code 2} ping answered by {@code 3}.
 */
final class SocketIoClient extends WebSocketClient {

	private static final byte[] EVENT_MESSAGE = "42[\"m\"".getBytes();

	private static final byte[] EVENT_SUBSCRIBED = "42[\"subscribed\"".getBytes();

	private static final byte[] CONNECTED = "40".getBytes();

	SocketIoClient(IoLoop loop, Endpoint endpoint, int topic) {
		super(loop, endpoint, topic);
	}

	@Override
	String path() {
		return "/socket.io/?EIO=4&transport=websocket";
	}

	@Override
	void onOpen() {
	}

	@Override
	void onText(byte[] bytes, int offset, int length) {
		if (length == 0) {
			return;
		}
		if (startsWith(bytes, offset, length, EVENT_MESSAGE)) {
			ticks(bytes, offset, offset + length);
		}
		else if (bytes[offset] == '2' && length == 1) {
			sendText("3");
		}
		else if (bytes[offset] == '0') {
			sendText("40");
		}
		else if (startsWith(bytes, offset, length, EVENT_SUBSCRIBED)) {
			markReady();
		}
		else if (startsWith(bytes, offset, length, CONNECTED)) {
			sendText("42[\"sub\",\"" + topicName() + "\"]");
		}
	}

}
