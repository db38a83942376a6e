package io.realtime.bench.load;

import java.io.IOException;

/**
 * A keep-alive HTTP/1.1 client connection reading one response at a time, with a body of known
 * length, chunked, or running until the connection closes; subclasses see the decoded body as it
 * arrives.
 */
abstract class HttpClientConnection extends ClientConnection {

	private static final int HEAD = 0;

	private static final int FIXED = 1;

	private static final int CHUNK_SIZE = 2;

	private static final int CHUNK_DATA = 3;

	private static final int CHUNK_CRLF = 4;

	private static final int TRAILER = 5;

	private static final int UNTIL_CLOSE = 6;

	private int state = HEAD;

	private long remaining;

	HttpClientConnection(IoLoop loop, Endpoint endpoint, int topic) {
		super(loop, endpoint, topic);
	}

	/** The head of a response arrived. */
	abstract void onResponse(int status, String head);

	/** Decoded body bytes. */
	abstract void onBody(byte[] bytes, int offset, int length);

	/** The response is complete. */
	abstract void onEnd();

	@Override
	int onBytes(byte[] bytes, int offset, int length) {
		int end = offset + length;
		int i = offset;
		while (i < end && !this.closed) {
			switch (this.state) {
				case HEAD -> {
					int head = headEnd(bytes, i, end);
					if (head < 0) {
						return i;
					}
					String text = head(bytes, i, head).toLowerCase();
					onResponse(status(bytes, i), text);
					i = head;
					if (text.contains("transfer-encoding: chunked")) {
						this.state = CHUNK_SIZE;
					}
					else {
						int at = text.indexOf("content-length:");
						if (at < 0 && text.contains("connection: close")) {
							this.state = UNTIL_CLOSE;
							continue;
						}
						if (at < 0) {
							fail(new IOException("response without a length"));
							return end;
						}
						this.remaining = Long.parseLong(text.substring(at + 15, text.indexOf('\r', at)).trim());
						this.state = FIXED;
						if (this.remaining == 0) {
							end();
						}
					}
				}
				case UNTIL_CLOSE -> {
					onBody(bytes, i, end - i);
					i = end;
				}
				case FIXED -> {
					int n = (int) Math.min(this.remaining, end - i);
					onBody(bytes, i, n);
					i += n;
					this.remaining -= n;
					if (this.remaining == 0) {
						end();
					}
				}
				case CHUNK_SIZE -> {
					int lineEnd = lineEnd(bytes, i, end);
					if (lineEnd < 0) {
						return i;
					}
					long size = 0;
					for (int k = i; k < lineEnd; k++) {
						int digit = Character.digit(bytes[k], 16);
						if (digit < 0) {
							break;
						}
						size = size * 16 + digit;
					}
					i = lineEnd + 2;
					this.remaining = size;
					this.state = (size == 0) ? TRAILER : CHUNK_DATA;
				}
				case CHUNK_DATA -> {
					int n = (int) Math.min(this.remaining, end - i);
					onBody(bytes, i, n);
					i += n;
					this.remaining -= n;
					if (this.remaining == 0) {
						this.state = CHUNK_CRLF;
					}
				}
				case CHUNK_CRLF, TRAILER -> {
					if (end - i < 2) {
						return i;
					}
					i += 2;
					if (this.state == TRAILER) {
						end();
					}
					else {
						this.state = CHUNK_SIZE;
					}
				}
				default -> throw new IllegalStateException();
			}
		}
		return i;
	}

	@Override
	boolean onClosed() {
		if (this.state != UNTIL_CLOSE) {
			return false;
		}
		end();
		return true;
	}

	private void end() {
		this.state = HEAD;
		onEnd();
	}

	private static int lineEnd(byte[] bytes, int from, int end) {
		for (int i = from; i + 1 < end; i++) {
			if (bytes[i] == '\r' && bytes[i + 1] == '\n') {
				return i;
			}
		}
		return -1;
	}

}
