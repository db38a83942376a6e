package io.realtime.webmvc.http;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.realtime.core.Broker;
import io.realtime.core.Cursor;
import io.realtime.core.Message;
import io.realtime.core.MessageListener;
import io.realtime.core.Subscription;
import io.realtime.webmvc.ConnectionRegistry;
import io.realtime.webmvc.Outbox;
import io.realtime.webmvc.RealtimeConnection;
import io.realtime.webmvc.RealtimeMetrics;
import jakarta.servlet.http.WebConnection;
import org.jspecify.annotations.Nullable;

/**
 * One SSE stream: its subscriptions feed an {@link Outbox} whose single writer keeps the
 * positions of every topic, stamps each event with the cursor after it and writes batches of
 * events to a {@link ResponseOutput}.
 */
final class SseConnection implements RealtimeConnection, Outbox.Writer<Object> {

	static final String TRANSPORT = "sse";

	private static final byte[] HEARTBEAT = ":keep-alive\n\n".getBytes(StandardCharsets.UTF_8);

	/** Most bytes of events held back before they are written, while the outbox stays busy. */
	private static final int MAX_BATCH_BYTES = 32 * 1024;

	/** Hands the starting cursor to the client before any message arrives. */
	private static final Object READY = new Object();

	private final ConnectionRegistry connections;

	private final RealtimeMetrics metrics;

	private final SseSettings settings;

	private final MessageEvents events;

	private final Outbox<Object> outbox;

	private final List<Subscription> subscriptions = new ArrayList<>();

	/** Touched only by the outbox's writer. */
	private final Map<String, String> positions = new LinkedHashMap<>();

	/** Events written since the last flush; touched only by the outbox's writer. */
	private final List<byte[]> batch = new ArrayList<>(0);

	private int batchBytes;

	private volatile @Nullable ResponseOutput stream;

	/** Heartbeats that found no stream yet: a stream that never starts is given up. */
	private int beatsWithoutStream;

	private boolean closed;

	SseConnection(ConnectionRegistry connections, RealtimeMetrics metrics, SseSettings settings,
			MessageEvents events) {
		this.connections = connections;
		this.events = events;
		this.metrics = metrics;
		this.settings = settings;
		this.outbox = new Outbox<>(connections.writers(), settings.sendBufferBytes(), this);
	}

	/**
	 * Start writing to a stream and subscribe to every topic from the positions of a read, so the
	 * cursor holds every topic from the first event on and no topic falls back to "now" on
	 * reconnect. Messages published since the read are replayed from history.
	 */
	void start(ResponseOutput stream, Broker broker, Batch start) {
		this.stream = stream;
		start.positions().forEach(this.positions::put);
		this.outbox.offer(("retry:" + this.settings.retry().toMillis() + "\n\n").getBytes(StandardCharsets.UTF_8), 16);
		this.outbox.offer(READY, 64);
		for (String topic : start.reset()) {
			this.outbox.offer(reset(topic), 32);
		}
		try {
			for (Map.Entry<String, String> entry : start.positions().entrySet()) {
				String topic = entry.getKey();
				Subscription subscription = broker.subscribe(topic, entry.getValue(),
						MessageListener.of(this::offer, () -> this.outbox.offer(reset(topic), 32)));
				synchronized (this.subscriptions) {
					if (this.closed) {
						subscription.cancel();
						return;
					}
					this.subscriptions.add(subscription);
				}
			}
		}
		catch (RuntimeException ex) {
			closed();
			throw ex;
		}
	}

	/** Start on a connection taken over from its request, once the container hands it over. */
	DetachedConnection.Session detached(Broker broker, Batch start) {
		return new DetachedConnection.Session() {

			@Override
			public void start(WebConnection connection) throws IOException {
				SseConnection.this.start(new ResponseOutput(connection.getOutputStream(), SseConnection.this::closed,
						DetachedConnection.closer(connection)), broker, start);
			}

			@Override
			public void clientGone() {
				closed();
			}

			@Override
			public void destroyed() {
				release();
			}

		};
	}

	@Override
	public String transport() {
		return TRANSPORT;
	}

	@Override
	public void heartbeat() {
		if (this.stream != null) {
			this.outbox.offer(HEARTBEAT, HEARTBEAT.length);
		}
		else if (++this.beatsWithoutStream > 1) {
			// the container never handed the connection over (the client left during the handshake)
			release();
		}
	}

	@Override
	public void shutdown() {
		closed();
	}

	@Override
	public void write(Object item, Runnable done) throws IOException {
		if (item instanceof Message message) {
			this.positions.put(message.topic(), message.id());
			add((this.positions.size() == 1) ? this.events.single(message)
					: MessageEvents.encode(Cursor.of(this.positions).encode(), message));
			this.metrics.delivered();
		}
		else if (item == READY) {
			add(("id:" + Cursor.of(this.positions).encode() + "\nevent:ready\ndata:{\"topics\":[\""
					+ String.join("\",\"", this.positions.keySet()) + "\"]}\n\n").getBytes(StandardCharsets.UTF_8));
		}
		else {
			add((byte[]) item);
		}
		if (this.batchBytes >= MAX_BATCH_BYTES) {
			flush(done);
		}
		else {
			done.run();
		}
	}

	/** Write what was batched, in one write, once the outbox runs dry. */
	@Override
	public void flush(Runnable done) throws IOException {
		ResponseOutput stream = this.stream;
		if (this.batch.isEmpty() || stream == null) {
			done.run();
			return;
		}
		byte[] bytes = (this.batch.size() == 1) ? this.batch.get(0) : new byte[this.batchBytes];
		if (this.batch.size() > 1) {
			int at = 0;
			for (byte[] event : this.batch) {
				System.arraycopy(event, 0, bytes, at, event.length);
				at += event.length;
			}
		}
		this.batch.clear();
		this.batchBytes = 0;
		stream.write(bytes, done);
	}

	private void offer(Message message) {
		this.outbox.offer(message, message.toJson().length() + 64);
	}

	private void add(byte[] event) {
		this.batch.add(event);
		this.batchBytes += event.length;
	}

	private static byte[] reset(String topic) {
		return ("event:reset\ndata:{\"topics\":[\"" + topic + "\"]}\n\n").getBytes(StandardCharsets.UTF_8);
	}

	@Override
	public void overflow() {
		// the client resumes from the last id it received, so nothing is lost
		this.metrics.slowConsumer();
		release();
		// off the publisher's thread: ending the stream may wait for a write in progress
		this.connections.writers().execute(this::closeStream);
	}

	@Override
	public void failed(Exception ex) {
		// the client went away: not worth a stack trace
		closed();
	}

	/** The stream ended or failed: let go of everything and close what is left of it. */
	void closed() {
		release();
		closeStream();
	}

	private void closeStream() {
		ResponseOutput stream = this.stream;
		if (stream != null) {
			stream.close();
		}
	}

	/** Cancel the subscriptions and forget the connection; safe to call more than once. */
	void release() {
		List<Subscription> held;
		synchronized (this.subscriptions) {
			if (this.closed) {
				return;
			}
			this.closed = true;
			held = new ArrayList<>(this.subscriptions);
		}
		this.outbox.close();
		// cancelled outside the lock: a publisher holds the topic's lock while calling in
		held.forEach(Subscription::cancel);
		this.connections.closed(this);
	}

}
