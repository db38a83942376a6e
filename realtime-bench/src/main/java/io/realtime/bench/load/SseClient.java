package io.realtime.bench.load;

import java.io.IOException;
import java.util.Arrays;

/**
 * An SSE stream: the first {@code ready} event says the subscription is in place, {@code data:}
 * lines of other events carry ticks. Serves our endpoint and the naive one alike.
 */
final class SseClient extends HttpClientConnection {

	private static final byte[] EVENT = "event:".getBytes();

	private static final byte[] DATA = "data:".getBytes();

	private static final byte[] READY = "event:ready".getBytes();

	private final String path;

	/** An unfinished line from the previous body fragment. */
	private byte[] partial;

	private int partialLength;

	private boolean readyEvent;

	SseClient(IoLoop loop, Endpoint endpoint, int topic, String path) {
		super(loop, endpoint, topic);
		this.path = path;
	}

	@Override
	void onConnected() {
		send(request(this.path + "?topic=" + topicName(), "Accept: text/event-stream"));
	}

	@Override
	void onResponse(int status, String head) {
		if (status != 200) {
			fail(new IOException("SSE refused with " + status));
		}
	}

	@Override
	void onBody(byte[] bytes, int offset, int length) {
		int end = offset + length;
		int start = offset;
		for (int i = offset; i < end; i++) {
			if (bytes[i] != '\n') {
				continue;
			}
			if (this.partialLength > 0) {
				append(bytes, start, i);
				line(this.partial, 0, this.partialLength);
				this.partialLength = 0;
			}
			else {
				line(bytes, start, i);
			}
			start = i + 1;
		}
		if (start < end) {
			append(bytes, start, end);
		}
	}

	private void append(byte[] bytes, int from, int to) {
		int n = to - from;
		if (this.partial == null || this.partialLength + n > this.partial.length) {
			this.partial = Arrays.copyOf((this.partial != null) ? this.partial : new byte[0],
					Math.max(256, (this.partialLength + n) * 2));
		}
		System.arraycopy(bytes, from, this.partial, this.partialLength, n);
		this.partialLength += n;
	}

	private void line(byte[] bytes, int from, int to) {
		int length = to - from;
		if (length == 0) {
			this.readyEvent = false;
		}
		else if (startsWith(bytes, from, length, EVENT)) {
			this.readyEvent = startsWith(bytes, from, length, READY);
		}
		else if (startsWith(bytes, from, length, DATA)) {
			if (this.readyEvent) {
				markReady();
			}
			else {
				ticks(bytes, from, to);
			}
		}
	}

	@Override
	void onEnd() {
		fail(new IOException("stream ended"));
	}

}
