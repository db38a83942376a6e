package io.realtime.webmvc.http;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.realtime.core.Broker;
import io.realtime.core.Cursor;
import io.realtime.core.Message;
import io.realtime.core.MessageListener;
import io.realtime.core.Presence;
import io.realtime.core.Subscription;
import io.realtime.webmvc.ConnectionRegistry;
import io.realtime.webmvc.Outbox;
import io.realtime.webmvc.RealtimeConnection;
import io.realtime.webmvc.RealtimeMetrics;
import io.realtime.webmvc.WireFormat;
import io.realtime.webmvc.container.DetachedResponse;
import io.realtime.webmvc.container.ResponseStream;
import org.jspecify.annotations.Nullable;

/**
 * One SSE stream: its subscriptions feed an {@link Outbox} whose single writer keeps the
 * positions of every topic, stamps each event with the cursor after it and writes batches of
 * events to a {@link ResponseStream}. Sends the heartbeat comment.
 */
final class SseConnection implements RealtimeConnection, Outbox.Writer<SseConnection.Item> {

	static final String TRANSPORT = "sse";

	/** Most bytes of events held back before they are written, while the outbox stays busy. */
	private static final int MAX_BATCH_BYTES = 32 * 1024;

	private final ConnectionRegistry connections;

	private final RealtimeMetrics metrics;

	private final WireFormat wire;

	private final SseSettings settings;

	private final Outbox<Item> outbox;

	private final List<Subscription> subscriptions = new ArrayList<>();

	/** What makes the stream present and tells it of presence news; guarded by {@link #subscriptions}. */
	private final List<Presence.Registration> presence = new ArrayList<>(0);

	/** Run once the stream starts, after its {@code ready} event: listening to presence news. */
	private @Nullable Runnable onStart;

	/** Touched only by the outbox's writer. */
	private final Map<String, String> positions = new LinkedHashMap<>();

	/** Events written since the last flush; touched only by the outbox's writer. */
	private final List<byte[]> batch = new ArrayList<>(0);

	private int batchBytes;

	private volatile @Nullable ResponseStream stream;

	/** Heartbeats that found no stream yet: a stream that never starts is given up. */
	private int beatsWithoutStream;

	private boolean closed;

	SseConnection(ConnectionRegistry connections, RealtimeMetrics metrics, WireFormat wire, SseSettings settings) {
		this.connections = connections;
		this.metrics = metrics;
		this.wire = wire;
		this.settings = settings;
		this.outbox = new Outbox<>(connections.writers(), settings.sendBufferBytes(), this);
	}

	/**
	 * Start writing to a stream and subscribe to every topic from the positions of a read, so the
	 * cursor holds every topic from the first event on and no topic falls back to "now" on
	 * reconnect. Messages published since the read are replayed from history.
	 */
	void start(ResponseStream stream, Broker broker, Batch start) {
		this.stream = stream;
		start.positions().forEach(this.positions::put);
		this.outbox.offer(new Raw(this.wire.sseRetry(this.settings.retry())), 16);
		this.outbox.offer(Ready.INSTANCE, 64);
		for (String topic : start.reset()) {
			this.outbox.offer(new Raw(this.wire.sseReset(topic)), 32);
		}
		try {
			if (this.onStart != null) {
				this.onStart.run();
			}
			for (Map.Entry<String, String> entry : start.positions().entrySet()) {
				String topic = entry.getKey();
				Subscription subscription = broker.subscribe(topic, entry.getValue(), MessageListener.of(
						(message) -> this.outbox.offer(new Deliver(message), message.data().length() + 128),
						() -> this.outbox.offer(new Raw(this.wire.sseReset(topic)), 32)));
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

	/**
	 * Hold a presence registration (a stay or a listener) until the stream is released.
	 * @param registration the registration, closed at once when the stream is released already
	 */
	void hold(Presence.Registration registration) {
		synchronized (this.subscriptions) {
			if (!this.closed) {
				this.presence.add(registration);
				return;
			}
		}
		registration.close();
	}

	/** Run an action once the stream starts, right after its {@code ready} event. */
	void onStart(Runnable action) {
		this.onStart = action;
	}

	/** Send an event encoded already: presence news. */
	void event(byte[] event) {
		this.outbox.offer(new Raw(event), event.length);
	}

	/** Start on a response carried past its request, once the container hands it over. */
	DetachedResponse detached(Broker broker, Batch start) {
		return new DetachedResponse() {

			@Override
			public void start(ResponseStream stream) {
				SseConnection.this.start(stream, broker, start);
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
			this.outbox.offer(new Raw(WireFormat.SSE_HEARTBEAT), WireFormat.SSE_HEARTBEAT.length);
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
	public void write(Item item, Runnable done) throws IOException {
		if (item instanceof Deliver deliver) {
			Message message = deliver.message();
			this.positions.put(message.topic(), message.id());
			add((this.positions.size() == 1) ? this.wire.sseMessage(message)
					: this.wire.sseMessage(Cursor.of(this.positions).encode(), message));
			this.metrics.delivered();
		}
		else if (item instanceof Raw raw) {
			add(raw.bytes());
		}
		else {
			add(this.wire.sseReady(Cursor.of(this.positions).encode(), this.positions.keySet()));
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
		ResponseStream stream = this.stream;
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

	private void add(byte[] event) {
		this.batch.add(event);
		this.batchBytes += event.length;
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
		ResponseStream stream = this.stream;
		if (stream != null) {
			stream.close();
		}
	}

	/** Cancel the subscriptions and forget the connection; safe to call more than once. */
	void release() {
		List<Subscription> held;
		List<Presence.Registration> present;
		synchronized (this.subscriptions) {
			if (this.closed) {
				return;
			}
			this.closed = true;
			held = new ArrayList<>(this.subscriptions);
			present = new ArrayList<>(this.presence);
		}
		this.outbox.close();
		// cancelled outside the lock: a publisher holds the topic's lock while calling in
		held.forEach(Subscription::cancel);
		present.forEach(Presence.Registration::close);
		this.connections.closed(this);
	}

	/** What the outbox carries to the stream's writer. */
	sealed interface Item permits Deliver, Ready, Raw {
	}

	/** A message to send as an event stamped with the cursor after it. */
	record Deliver(Message message) implements Item {
	}

	/** The {@code ready} event, with the cursor the stream starts from. */
	enum Ready implements Item {

		INSTANCE

	}

	/** An event or field encoded already. */
	record Raw(byte[] bytes) implements Item {
	}

}
