package io.realtime.bench.load;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.BitSet;

/**
 * One client connection of the load generator: non-blocking I/O on its {@link IoLoop}, and the
 * bookkeeping that proves delivery: every tick's per-topic sequence must be the next one.
 */
abstract class ClientConnection {

	final IoLoop loop;

	final Endpoint endpoint;

	/** The topic this connection subscribes to: {@code bench-<topic>}. */
	final int topic;

	private SocketChannel channel;

	private SelectionKey key;

	private byte[] pending;

	private final ArrayDeque<ByteBuffer> unwritten = new ArrayDeque<>(0);

	volatile boolean ready;

	volatile boolean closed;

	volatile String failure;

	/** The next sequence number expected. */
	volatile long next;

	volatile long received;

	volatile long duplicated;

	/** Deliveries that came before an earlier sequence number. */
	volatile long reordered;

	/** Sequence numbers received ahead of {@link #next}; only after an out-of-order delivery. */
	private BitSet ahead;

	private Runnable onReady;

	private Runnable onFailed;

	private InetSocketAddress local;

	ClientConnection(IoLoop loop, Endpoint endpoint, int topic) {
		this.loop = loop;
		this.endpoint = endpoint;
		this.topic = topic;
	}

	String topicName() {
		return "bench-" + this.topic;
	}

	/** Open the connection from a local address; called on the loop's thread. */
	void start(InetSocketAddress local, Runnable onReady, Runnable onFailed) {
		this.onReady = onReady;
		this.onFailed = onFailed;
		this.local = local;
		open();
	}

	/** Open a new connection in place of one the server ended; {@link #onConnected} runs again. */
	void reopen() {
		try {
			this.channel.close();
		}
		catch (IOException ex) {
			// replaced anyway
		}
		this.pending = null;
		this.unwritten.clear();
		open();
	}

	private void open() {
		InetSocketAddress local = this.local;
		try {
			this.channel = SocketChannel.open();
			this.channel.configureBlocking(false);
			this.channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
			this.channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
			this.channel.bind(local);
			if (this.channel.connect(this.endpoint.address())) {
				this.key = this.channel.register(this.loop.selector, SelectionKey.OP_READ, this);
				onConnected();
			}
			else {
				this.key = this.channel.register(this.loop.selector, SelectionKey.OP_CONNECT, this);
			}
		}
		catch (IOException | RuntimeException ex) {
			fail(ex);
		}
	}

	void onConnectable() throws IOException {
		this.channel.finishConnect();
		this.key.interestOps(SelectionKey.OP_READ);
		onConnected();
	}

	void onReadable() throws IOException {
		ByteBuffer buffer = this.loop.readBuffer;
		while (true) {
			buffer.clear();
			if (this.pending != null) {
				buffer.put(this.pending);
				this.pending = null;
			}
			int read = this.channel.read(buffer);
			if (read < 0) {
				if (!onClosed()) {
					fail(new IOException("closed by the server"));
				}
				return;
			}
			this.loop.readMicros = io.realtime.bench.server.Tick.nowMicros();
			this.loop.readNanos = System.nanoTime();
			int length = buffer.position();
			int consumed = onBytes(buffer.array(), 0, length);
			if (this.closed) {
				return;
			}
			if (consumed < length) {
				this.pending = Arrays.copyOfRange(buffer.array(), consumed, length);
			}
			if (buffer.hasRemaining() || read == 0) {
				return;
			}
		}
	}

	void onWritable() throws IOException {
		while (!this.unwritten.isEmpty()) {
			ByteBuffer head = this.unwritten.peek();
			this.channel.write(head);
			if (head.hasRemaining()) {
				return;
			}
			this.unwritten.poll();
		}
		this.key.interestOps(SelectionKey.OP_READ);
	}

	/** Send bytes, in order, without blocking. */
	void send(byte[] bytes) {
		ByteBuffer buffer = ByteBuffer.wrap(bytes);
		try {
			if (this.unwritten.isEmpty()) {
				this.channel.write(buffer);
				if (!buffer.hasRemaining()) {
					return;
				}
				this.key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
			}
			this.unwritten.add(buffer);
		}
		catch (IOException ex) {
			fail(ex);
		}
	}

	void send(String text) {
		send(text.getBytes(StandardCharsets.UTF_8));
	}

	/** Subscribed: messages published from now on must all arrive. */
	void markReady() {
		if (!this.ready) {
			this.ready = true;
			this.onReady.run();
		}
	}

	/**
	 * One delivered tick, checked against the expected sequence: below it is a duplicate, above
	 * it is out of order (kept until the gap fills, so late arrivals are not counted as lost).
	 */
	void tick(long seq, long publishedMicros) {
		long expected = this.next;
		if (seq == expected) {
			long next = seq + 1;
			if (this.ahead != null) {
				while (this.ahead.get((int) next)) {
					this.ahead.clear((int) next);
					next++;
				}
			}
			this.next = next;
		}
		else if (seq > expected) {
			if (this.ahead == null) {
				this.ahead = new BitSet();
			}
			if (this.ahead.get((int) seq)) {
				this.duplicated++;
				return;
			}
			this.ahead.set((int) seq);
			this.reordered++;
		}
		else {
			this.duplicated++;
			return;
		}
		this.received++;
		this.loop.recordLatency(this.loop.readMicros - publishedMicros);
		if (this.loop.trace != null) {
			this.loop.trace.record(seq, publishedMicros, this.loop.readMicros - publishedMicros);
		}
	}

	/** Messages before {@code expectedNext} never received. */
	long missing(long expectedNext) {
		long missing = Math.max(0, expectedNext - this.next);
		if (this.ahead != null && missing > 0) {
			missing -= this.ahead.get((int) this.next, (int) expectedNext).cardinality();
		}
		return missing;
	}

	/** Find every tick in a payload. */
	void ticks(byte[] bytes, int from, int to) {
		Ticks.scan(bytes, from, to, this);
	}

	void fail(Exception ex) {
		if (this.failure == null && !this.closed) {
			this.failure = ex.getClass().getSimpleName() + ": " + ex.getMessage();
			if (!this.ready && this.onFailed != null) {
				this.onFailed.run();
			}
		}
		close();
	}

	void close() {
		this.closed = true;
		try {
			if (this.channel != null) {
				this.channel.close();
			}
		}
		catch (IOException ex) {
			// closing anyway
		}
	}

	/** The server closed the connection; {@code true} when that ended a response as expected. */
	boolean onClosed() {
		return false;
	}

	/** The connection is established: send the request or handshake. */
	abstract void onConnected();

	/**
	 * Handle received bytes.
	 * @return how many were consumed; the rest is handed back with the next read
	 */
	abstract int onBytes(byte[] bytes, int offset, int length);

	// --- small HTTP helpers shared by the protocols

	/** The index after {@code \r\n\r\n}, or -1 when the head is not complete. */
	static int headEnd(byte[] bytes, int offset, int end) {
		for (int i = offset; i + 3 < end; i++) {
			if (bytes[i] == '\r' && bytes[i + 1] == '\n' && bytes[i + 2] == '\r' && bytes[i + 3] == '\n') {
				return i + 4;
			}
		}
		return -1;
	}

	static int status(byte[] bytes, int offset) {
		// HTTP/1.1 200
		return (bytes[offset + 9] - '0') * 100 + (bytes[offset + 10] - '0') * 10 + (bytes[offset + 11] - '0');
	}

	static String head(byte[] bytes, int offset, int end) {
		return new String(bytes, offset, end - offset, StandardCharsets.ISO_8859_1);
	}

	static boolean startsWith(byte[] bytes, int offset, int length, byte[] prefix) {
		if (length < prefix.length) {
			return false;
		}
		for (int i = 0; i < prefix.length; i++) {
			if (bytes[offset + i] != prefix[i]) {
				return false;
			}
		}
		return true;
	}

	String request(String pathAndQuery, String... headers) {
		StringBuilder request = new StringBuilder(160).append("GET ")
			.append(pathAndQuery)
			.append(" HTTP/1.1\r\nHost: ")
			.append(this.endpoint.hostHeader())
			.append("\r\n");
		for (String header : headers) {
			request.append(header).append("\r\n");
		}
		return request.append("\r\n").toString();
	}

}
