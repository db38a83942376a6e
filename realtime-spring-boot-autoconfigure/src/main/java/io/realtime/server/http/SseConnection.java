package io.realtime.server.http;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.realtime.core.Broker;
import io.realtime.core.Cursor;
import io.realtime.core.Message;
import io.realtime.core.MessageListener;
import io.realtime.core.Subscription;
import io.realtime.server.ConnectionRegistry;
import io.realtime.server.Outbox;
import io.realtime.server.RealtimeConnection;
import io.realtime.server.RealtimeMetrics;

import org.springframework.http.MediaType;
import org.springframework.web.servlet.mvc.method.annotation.ResponseBodyEmitter;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * One SSE stream: its subscriptions feed an {@link Outbox} whose single writer keeps the
 * positions of every topic and stamps each event with the cursor after it.
 */
final class SseConnection implements RealtimeConnection, Outbox.Writer<Object> {

	static final String TRANSPORT = "sse";

	private static final Object HEARTBEAT = new Object();

	/** Most bytes of events held back before they are written, while the outbox stays busy. */
	private static final int MAX_BATCH_BYTES = 32 * 1024;

	/** Hands the starting cursor to the client before any message arrives. */
	private static final Object READY = new Object();

	private final SseEmitter emitter = new SseEmitter(0L);

	private final ConnectionRegistry connections;

	private final RealtimeMetrics metrics;

	private final MessageEvents events;

	private final Outbox<Object> outbox;

	private final List<Subscription> subscriptions = new ArrayList<>();

	/** Touched only by the outbox's writer. */
	private final Map<String, String> positions = new LinkedHashMap<>();

	/** Message events written since the last flush; touched only by the outbox's writer. */
	private final List<byte[]> batch = new ArrayList<>(0);

	private int batchBytes;

	private volatile boolean closed;

	SseConnection(ConnectionRegistry connections, RealtimeMetrics metrics, SseSettings settings,
			MessageEvents events) {
		this.connections = connections;
		this.events = events;
		this.metrics = metrics;
		this.outbox = new Outbox<>(connections.writers(), settings.sendBufferBytes(), this);
		this.emitter.onCompletion(this::release);
		this.emitter.onTimeout(this::release);
		this.emitter.onError((ex) -> release());
		this.outbox.offer(SseEmitter.event().reconnectTime(settings.retry().toMillis()), 16);
	}

	SseEmitter emitter() {
		return this.emitter;
	}

	/**
	 * Subscribe to every topic from the positions of a read, so the cursor holds every topic
	 * from the first event on and no topic falls back to "now" on reconnect.
	 */
	void subscribe(Broker broker, Batch start) {
		start.positions().forEach(this.positions::put);
		this.outbox.offer(READY, 64);
		for (String topic : start.reset()) {
			this.outbox.offer(new Reset(topic), 32);
		}
		try {
			for (Map.Entry<String, String> entry : start.positions().entrySet()) {
				String topic = entry.getKey();
				Subscription subscription = broker.subscribe(topic, entry.getValue(), new Listener(topic));
				synchronized (this.subscriptions) {
					this.subscriptions.add(subscription);
				}
			}
		}
		catch (RuntimeException ex) {
			release();
			throw ex;
		}
	}

	@Override
	public String transport() {
		return TRANSPORT;
	}

	@Override
	public void heartbeat() {
		this.outbox.offer(HEARTBEAT, 16);
	}

	@Override
	public void shutdown() {
		release();
		complete();
	}

	@Override
	public void write(Object item, Runnable done) throws IOException {
		if (item instanceof Message message) {
			batch(message);
			if (this.batchBytes >= MAX_BATCH_BYTES) {
				flushBatch();
			}
		}
		else {
			flushBatch();
			send(item);
		}
		done.run();
	}

	@Override
	public void flush(Runnable done) throws IOException {
		flushBatch();
		done.run();
	}

	/** Add a message event to the batch that goes out, with one flush, when the outbox runs dry. */
	private void batch(Message message) {
		this.positions.put(message.topic(), message.id());
		byte[] event = (this.positions.size() == 1) ? this.events.single(message)
				: MessageEvents.encode(Cursor.of(this.positions).encode(), message);
		this.batch.add(event);
		this.batchBytes += event.length;
		this.metrics.delivered();
	}

	private void flushBatch() throws IOException {
		if (this.batch.isEmpty()) {
			return;
		}
		byte[] events = (this.batch.size() == 1) ? this.batch.get(0) : new byte[this.batchBytes];
		if (this.batch.size() > 1) {
			int at = 0;
			for (byte[] event : this.batch) {
				System.arraycopy(event, 0, events, at, event.length);
				at += event.length;
			}
		}
		this.batch.clear();
		this.batchBytes = 0;
		// written as is: no event builder, converter lookup or encoding per subscriber
		this.emitter.send(Set.of(new ResponseBodyEmitter.DataWithMediaType(events, MediaType.TEXT_PLAIN)));
	}

	private void send(Object item) throws IOException {
		if (item instanceof Reset reset) {
			this.emitter.send(SseEmitter.event().name("reset").data("{\"topics\":[\"" + reset.topic() + "\"]}"));
		}
		else if (item == READY) {
			this.emitter.send(SseEmitter.event()
				.id(Cursor.of(this.positions).encode())
				.name("ready")
				.data("{\"topics\":[\"" + String.join("\",\"", this.positions.keySet()) + "\"]}"));
		}
		else if (item == HEARTBEAT) {
			this.emitter.send(SseEmitter.event().comment("keep-alive"));
		}
		else {
			this.emitter.send((SseEmitter.SseEventBuilder) item);
		}
	}

	@Override
	public void overflow() {
		// the client resumes from the last id it received, so nothing is lost
		this.metrics.slowConsumer();
		release();
		// off the publisher's thread: completing waits for a write in progress
		this.connections.writers().execute(this::complete);
	}

	@Override
	public void failed(Exception ex) {
		// the client went away: not worth a stack trace
		release();
		complete();
	}

	private void complete() {
		try {
			this.emitter.complete();
		}
		catch (IllegalStateException ex) {
			// the container already ended the request after a failed write: nothing left to close
		}
	}

	private void release() {
		if (this.closed) {
			return;
		}
		this.closed = true;
		this.outbox.close();
		List<Subscription> held;
		synchronized (this.subscriptions) {
			held = new ArrayList<>(this.subscriptions);
		}
		held.forEach(Subscription::cancel);
		this.connections.closed(this);
	}

	/** A topic resumed with a gap; the stream continues from the oldest message held. */
	private record Reset(String topic) {
	}

	private final class Listener implements MessageListener {

		private final String topic;

		Listener(String topic) {
			this.topic = topic;
		}

		@Override
		public void onSubscribed(boolean recovered) {
			if (!recovered) {
				SseConnection.this.outbox.offer(new Reset(this.topic), 32);
			}
		}

		@Override
		public void onMessage(Message message) {
			SseConnection.this.outbox.offer(message, message.toJson().length() + 64);
		}

	}

}
