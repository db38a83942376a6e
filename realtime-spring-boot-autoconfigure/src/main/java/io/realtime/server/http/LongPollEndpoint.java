package io.realtime.server.http;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.realtime.core.Broker;
import io.realtime.core.Message;
import io.realtime.core.MessageListener;
import io.realtime.core.Subscription;
import io.realtime.server.ConnectionRegistry;
import io.realtime.server.RealtimeConnection;
import io.realtime.server.RealtimeException;
import io.realtime.server.RealtimeException.Reason;
import io.realtime.server.TopicAccess;
import jakarta.servlet.http.HttpServletRequest;
import org.jspecify.annotations.Nullable;

import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.request.async.DeferredResult;

/**
 * {@code GET {base}/long-poll?topic=…[&cursor=…]}: like poll, but when nothing is there yet the
 * request waits, holding no thread, until a message arrives or the timeout passes.
 *
 * @since 0.1.0
 */
@RestController
@RequestMapping("${realtime.base-path:/realtime}")
public class LongPollEndpoint {

	static final String TRANSPORT = "long-poll";

	private final Broker broker;

	private final TopicAccess access;

	private final ConnectionRegistry connections;

	private final int maxBatch;

	private final Duration timeout;

	public LongPollEndpoint(Broker broker, TopicAccess access, ConnectionRegistry connections, int maxBatch,
			Duration timeout) {
		this.broker = broker;
		this.access = access;
		this.connections = connections;
		this.maxBatch = maxBatch;
		this.timeout = timeout;
	}

	@GetMapping("/long-poll")
	public DeferredResult<ResponseEntity<String>> longPoll(
			@RequestParam(name = "cursor", required = false) @Nullable String cursor, HttpServletRequest request) {
		Map<String, @Nullable String> from = SubscribeRequest.positions(this.access, cursor, request);
		Batch batch = Batch.read(this.broker, from, this.maxBatch);
		Waiter waiter = new Waiter(batch);
		if (batch.isReady()) {
			waiter.result.setResult(batch.reply());
			return waiter.result;
		}
		if (!this.connections.open(waiter)) {
			throw new RealtimeException(Reason.UNAVAILABLE, "connection limit reached");
		}
		waiter.start();
		return waiter.result;
	}

	/** One waiting request: subscribed to its topics until the first message or the timeout. */
	private final class Waiter implements RealtimeConnection {

		private final DeferredResult<ResponseEntity<String>> result;

		private final Batch batch;

		private final List<Subscription> subscriptions = new ArrayList<>();

		/** Set once every subscription is in place; before that, messages only collect. */
		private boolean armed;

		private boolean done;

		Waiter(Batch batch) {
			this.batch = batch;
			this.result = new DeferredResult<>(LongPollEndpoint.this.timeout.toMillis());
		}

		void start() {
			this.result.onTimeout(this::finish);
			this.result.onError((ex) -> finish());
			this.result.onCompletion(this::release);
			try {
				// subscribing from the positions just read closes the gap between read and wait
				for (Map.Entry<String, String> entry : Map.copyOf(this.batch.positions()).entrySet()) {
					Subscription subscription = LongPollEndpoint.this.broker.subscribe(entry.getKey(), entry.getValue(),
							new Listener(entry.getKey()));
					synchronized (this) {
						this.subscriptions.add(subscription);
					}
				}
			}
			catch (RuntimeException ex) {
				release();
				throw ex;
			}
			synchronized (this) {
				this.armed = true;
				if (this.batch.isReady()) {
					finish();
				}
			}
		}

		private synchronized void onMessage(Message message) {
			if (!this.done && this.batch.add(message) && this.armed) {
				finish();
			}
		}

		private synchronized void onReset(String topic) {
			this.batch.reset(topic);
			if (this.armed) {
				finish();
			}
		}

		private synchronized void finish() {
			if (!this.done) {
				this.done = true;
				this.result.setResult(this.batch.reply());
			}
		}

		private void release() {
			List<Subscription> held;
			synchronized (this) {
				this.done = true;
				held = new ArrayList<>(this.subscriptions);
			}
			// cancelled outside the lock: a publisher holds the topic's lock while calling in
			held.forEach(Subscription::cancel);
			LongPollEndpoint.this.connections.closed(this);
		}

		@Override
		public String transport() {
			return TRANSPORT;
		}

		@Override
		public void shutdown() {
			finish();
		}

		private final class Listener implements MessageListener {

			private final String topic;

			Listener(String topic) {
				this.topic = topic;
			}

			@Override
			public void onSubscribed(boolean recovered) {
				if (!recovered) {
					onReset(this.topic);
				}
			}

			@Override
			public void onMessage(Message message) {
				Waiter.this.onMessage(message);
			}

		}

	}

}
