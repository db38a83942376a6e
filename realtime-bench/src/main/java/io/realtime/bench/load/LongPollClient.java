package io.realtime.bench.load;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Our long-poll loop on one keep-alive connection: {@code /poll} once for a cursor, then
 * {@code /long-poll} with the returned cursor, again and again; on a new connection after a reply
 * that closed its own (a detached long poll).
 */
final class LongPollClient extends HttpClientConnection {

	private static final byte[] CURSOR = "\"cursor\":\"".getBytes();

	private byte[] body = new byte[0];

	private int bodyLength;

	private int status;

	private boolean closes;

	/** The request to send once a new connection is up. */
	private String next;

	LongPollClient(IoLoop loop, Endpoint endpoint, int topic) {
		super(loop, endpoint, topic);
	}

	@Override
	void onConnected() {
		send((this.next != null) ? this.next : request("/realtime/poll?topic=" + topicName()));
	}

	@Override
	void onResponse(int status, String head) {
		this.status = status;
		this.bodyLength = 0;
		this.closes = head.contains("connection: close");
	}

	@Override
	void onBody(byte[] bytes, int offset, int length) {
		if (this.bodyLength + length > this.body.length) {
			this.body = Arrays.copyOf(this.body, Math.max(1024, (this.bodyLength + length) * 2));
		}
		System.arraycopy(bytes, offset, this.body, this.bodyLength, length);
		this.bodyLength += length;
	}

	@Override
	void onEnd() {
		if (this.status != 200) {
			fail(new IOException("long poll answered " + this.status + ": "
					+ new String(this.body, 0, this.bodyLength, StandardCharsets.UTF_8)));
			return;
		}
		ticks(this.body, 0, this.bodyLength);
		int at = Ticks.indexOf(this.body, 0, this.bodyLength, CURSOR);
		if (at < 0) {
			fail(new IOException("reply without a cursor"));
			return;
		}
		int from = at + CURSOR.length;
		int to = from;
		while (to < this.bodyLength && this.body[to] != '"') {
			to++;
		}
		String cursor = new String(this.body, from, to - from, StandardCharsets.US_ASCII);
		if (this.body.length > 64 * 1024) {
			this.body = new byte[0]; // a large reply once should not stay with an idle client
		}
		String next = request("/realtime/long-poll?topic=" + topicName() + "&cursor=" + cursor);
		if (this.closes) {
			this.next = next;
			reopen();
		}
		else {
			send(next);
		}
		markReady();
	}

}
