package io.realtime.bench.load;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A minimal RFC 6455 client: the upgrade, unmasked server frames, masked client frames (with an
 * all-zero mask, which the RFC allows), pongs for pings and reassembly of fragments.
 */
abstract class WebSocketClient extends ClientConnection {

	private boolean open;

	private byte[] fragments;

	private int fragmentsLength;

	WebSocketClient(IoLoop loop, Endpoint endpoint, int topic) {
		super(loop, endpoint, topic);
	}

	abstract String path();

	String subprotocol() {
		return null;
	}

	/** The upgrade succeeded. */
	abstract void onOpen();

	/** A whole text message. */
	abstract void onText(byte[] bytes, int offset, int length);

	@Override
	void onConnected() {
		String protocol = subprotocol();
		send(request(path(), "Upgrade: websocket", "Connection: Upgrade",
				"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version: 13",
				(protocol != null) ? "Sec-WebSocket-Protocol: " + protocol : "X-Bench: 1"));
	}

	@Override
	int onBytes(byte[] bytes, int offset, int length) {
		int end = offset + length;
		int i = offset;
		if (!this.open) {
			int head = headEnd(bytes, offset, end);
			if (head < 0) {
				return offset;
			}
			if (status(bytes, offset) != 101) {
				fail(new IOException("upgrade refused: " + head(bytes, offset, head).lines().findFirst().orElse("")));
				return end;
			}
			this.open = true;
			onOpen();
			i = head;
		}
		while (end - i >= 2 && !this.closed) {
			int b0 = bytes[i] & 0xFF;
			int b1 = bytes[i + 1] & 0x7F;
			int header = 2;
			long payload = b1;
			if (b1 == 126) {
				if (end - i < 4) {
					break;
				}
				payload = ((bytes[i + 2] & 0xFF) << 8) | (bytes[i + 3] & 0xFF);
				header = 4;
			}
			else if (b1 == 127) {
				if (end - i < 10) {
					break;
				}
				payload = 0;
				for (int k = 2; k < 10; k++) {
					payload = (payload << 8) | (bytes[i + k] & 0xFF);
				}
				header = 10;
			}
			if (end - i - header < payload) {
				break;
			}
			int start = i + header;
			int size = (int) payload;
			frame(b0, bytes, start, size);
			i = start + size;
		}
		return i;
	}

	private void frame(int b0, byte[] bytes, int start, int size) {
		boolean fin = (b0 & 0x80) != 0;
		int opcode = b0 & 0x0F;
		switch (opcode) {
			case 0x1, 0x2, 0x0 -> {
				if (fin && opcode != 0 && this.fragments == null) {
					onText(bytes, start, size);
					return;
				}
				if (this.fragments == null) {
					this.fragments = new byte[Math.max(1024, size * 2)];
					this.fragmentsLength = 0;
				}
				if (this.fragmentsLength + size > this.fragments.length) {
					this.fragments = Arrays.copyOf(this.fragments, (this.fragmentsLength + size) * 2);
				}
				System.arraycopy(bytes, start, this.fragments, this.fragmentsLength, size);
				this.fragmentsLength += size;
				if (fin) {
					byte[] whole = this.fragments;
					this.fragments = null;
					onText(whole, 0, this.fragmentsLength);
				}
			}
			case 0x9 -> send(frame(0xA, Arrays.copyOfRange(bytes, start, start + size)));
			case 0x8 -> {
				int code = (size >= 2) ? ((bytes[start] & 0xFF) << 8) | (bytes[start + 1] & 0xFF) : 1005;
				fail(new IOException("closed by the server with " + code + " "
						+ new String(bytes, start + Math.min(2, size), Math.max(0, size - 2), StandardCharsets.UTF_8)));
			}
			default -> {
				// pong
			}
		}
	}

	void sendText(String text) {
		send(frame(0x1, text.getBytes(StandardCharsets.UTF_8)));
	}

	static byte[] frame(int opcode, byte[] payload) {
		int length = payload.length;
		int header = (length < 126) ? 2 : (length < 65536) ? 4 : 10;
		byte[] frame = new byte[header + 4 + length];
		frame[0] = (byte) (0x80 | opcode);
		if (length < 126) {
			frame[1] = (byte) (0x80 | length);
		}
		else if (length < 65536) {
			frame[1] = (byte) (0x80 | 126);
			frame[2] = (byte) (length >> 8);
			frame[3] = (byte) length;
		}
		else {
			frame[1] = (byte) (0x80 | 127);
			for (int k = 0; k < 8; k++) {
				frame[2 + k] = (byte) ((long) length >> (56 - 8 * k));
			}
		}
		// the mask key stays all zero, so the payload goes out as is
		System.arraycopy(payload, 0, frame, header + 4, length);
		return frame;
	}

}
