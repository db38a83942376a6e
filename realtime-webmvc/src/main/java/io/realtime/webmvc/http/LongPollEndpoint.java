package io.realtime.webmvc.http;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import io.realtime.core.Broker;
import io.realtime.core.Message;
import io.realtime.core.MessageListener;
import io.realtime.core.Subscription;
import io.realtime.webmvc.ConnectionRegistry;
import io.realtime.webmvc.RealtimeConnection;
import io.realtime.webmvc.RealtimeException;
import io.realtime.webmvc.RealtimeException.Reason;
import io.realtime.webmvc.TopicAccess;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.WebConnection;
import org.jspecify.annotations.Nullable;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET {base}/long-poll?topic=…[&cursor=…]}: like poll, but when nothing is there yet the
 * request waits, holding no thread, until a message arrives or the timeout passes. With
 * {@code realtime.long-poll.detach}, a waiting request is taken over from the container (see
 * {@link DetachedConnection}) so it keeps no request buffers; its reply then ends the connection.
 *
 * @since 0.1.0
 */
@RestController
@RequestMapping("${realtime.base-path:/realtime}")
public class LongPollEndpoint {

	static final String TRANSPORT = "long-poll";

	/** How long a timing-out request waits for a reply being written by another thread. */
	private static final Duration ANSWER_WAIT = Duration.ofSeconds(5);

	private final Broker broker;

	private final TopicAccess access;

	private final ConnectionRegistry connections;

	private final LongPollSettings settings;

	public LongPollEndpoint(Broker broker, TopicAccess access, ConnectionRegistry connections,
			LongPollSettings settings) {
		this.broker = broker;
		this.access = access;
		this.connections = connections;
		this.settings = settings;
	}

	@GetMapping("/long-poll")
	public void longPoll(@RequestParam(name = "cursor", required = false) @Nullable String cursor,
			HttpServletRequest request, HttpServletResponse response) throws IOException, ServletException {
		Map<String, @Nullable String> from = SubscribeRequest.positions(this.access, cursor, request);
		Batch batch = Batch.read(this.broker, from, this.settings.maxBatch());
		if (batch.isReady()) {
			byte[] json = batch.json().getBytes(StandardCharsets.UTF_8);
			Batch.headers(response);
			response.setContentLength(json.length);
			response.getOutputStream().write(json);
			return;
		}
		Waiter waiter = new Waiter(batch, response);
		if (!this.connections.open(waiter)) {
			throw new RealtimeException(Reason.UNAVAILABLE, "connection limit reached");
		}
		try {
			if (this.settings.detach() && DetachedConnection.supported(request)) {
				Batch.headers(response);
				DetachedConnection.detach(request, response, waiter.detached(), this.settings.sendTimeLimit());
				return;
			}
			// the reply is written straight from here on: no second dispatch through the servlet
			AsyncContext async = request.startAsync();
			async.setTimeout(this.settings.timeout().toMillis());
			async.addListener(waiter);
			waiter.async = async;
		}
		catch (IOException | ServletException | RuntimeException ex) {
			waiter.release();
			throw ex;
		}
		waiter.subscribe();
	}

	/**
	 * One waiting request: subscribed to its topics until the first message or the timeout. Its
	 * reply goes out on an async request or, taken over, on the connection, which then closes.
	 */
	private final class Waiter implements RealtimeConnection, AsyncListener {

		private final Batch batch;

		private final HttpServletResponse response;

		private final List<Subscription> subscriptions = new ArrayList<>();

		private @Nullable AsyncContext async;

		private @Nullable WebConnection connection;

		/** A taken-over request's timeout, which the container no longer keeps. */
		private @Nullable ScheduledFuture<?> timeout;

		/** Set once every subscription is in place; before that, messages only collect. */
		private boolean armed;

		/** Set once the reply is decided; messages that come later are the next request's. */
		private boolean done;

		/** The decided reply until a thread takes it to write it. */
		private byte @Nullable [] reply;

		/** Set once the reply is written and the request ended. */
		private boolean answered;

		private boolean released;

		Waiter(Batch batch, HttpServletResponse response) {
			this.batch = batch;
			this.response = response;
		}

		DetachedConnection.Session detached() {
			return new DetachedConnection.Session() {

				@Override
				public void start(WebConnection connection) {
					Waiter.this.connection = connection;
					Waiter.this.timeout = LongPollEndpoint.this.connections.schedule(Waiter.this::finish,
							LongPollEndpoint.this.settings.timeout());
					subscribe();
				}

				@Override
				public void clientGone() {
					release();
					end();
				}

				@Override
				public void destroyed() {
					release();
				}

			};
		}

		void subscribe() {
			try {
				// subscribing from the positions just read closes the gap between read and wait
				for (Map.Entry<String, String> entry : Map.copyOf(this.batch.positions()).entrySet()) {
					String topic = entry.getKey();
					Subscription subscription = LongPollEndpoint.this.broker.subscribe(topic, entry.getValue(),
							MessageListener.of(this::onMessage, () -> onReset(topic)));
					synchronized (this) {
						this.subscriptions.add(subscription);
					}
				}
			}
			catch (RuntimeException ex) {
				release();
				end();
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

		/** Reply with what the batch holds, off the publisher's thread. */
		private void finish() {
			if (decide()) {
				LongPollEndpoint.this.connections.writers().execute(this::reply);
			}
		}

		/** Fix the reply's body; {@code false} when it was fixed already. */
		private synchronized boolean decide() {
			if (this.done) {
				return false;
			}
			this.done = true;
			this.reply = this.batch.json().getBytes(StandardCharsets.UTF_8);
			return true;
		}

		/**
		 * Write the reply unless another thread took it already. A reply is small and goes into an
		 * empty socket buffer, so the write does not wait for the client.
		 */
		private void reply() {
			byte[] json;
			synchronized (this) {
				json = this.reply;
				this.reply = null;
			}
			if (json == null) {
				return;
			}
			release();
			WebConnection connection = this.connection;
			if (connection != null) {
				// the headers went out when the request was taken over; the body ends with the
				// connection
				try {
					ResponseOutput output = new ResponseOutput(connection.getOutputStream(), () -> {
					}, DetachedConnection.closer(connection));
					output.write(json, output::close);
				}
				catch (IOException | RuntimeException ex) {
					end();
				}
				return;
			}
			try {
				Batch.headers(this.response);
				this.response.setContentLength(json.length);
				this.response.getOutputStream().write(json);
			}
			catch (IOException | IllegalStateException ex) {
				// the client went away, or the container ended the request
			}
			finally {
				end();
				synchronized (this) {
					this.answered = true;
					notifyAll();
				}
			}
		}

		/** Complete the async request, or close the taken-over connection. */
		private void end() {
			try {
				if (this.connection != null) {
					DetachedConnection.closer(this.connection).close();
				}
				else if (this.async != null) {
					this.async.complete();
				}
			}
			catch (Exception ex) {
				// ended already
			}
		}

		/** Wait a little for a reply another thread is writing; the container needs it complete. */
		private synchronized void awaitAnswered() {
			long deadline = System.nanoTime() + ANSWER_WAIT.toNanos();
			long left;
			// after decide() and reply() the reply is this thread's or already another's
			while (!this.answered && (left = deadline - System.nanoTime()) > 0) {
				try {
					TimeUnit.NANOSECONDS.timedWait(this, left);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					return;
				}
			}
		}

		/** Cancel the subscriptions and forget the request; safe to call more than once. */
		private void release() {
			List<Subscription> held;
			synchronized (this) {
				if (this.released) {
					return;
				}
				this.released = true;
				held = new ArrayList<>(this.subscriptions);
			}
			if (this.timeout != null) {
				this.timeout.cancel(false);
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

		@Override
		public void onTimeout(AsyncEvent event) {
			// the container needs the request completed before this returns (it answers 500
			// otherwise), including a reply decided just now and still on its way
			decide();
			reply();
			awaitAnswered();
		}

		@Override
		public void onComplete(AsyncEvent event) {
			release();
		}

		@Override
		public void onError(AsyncEvent event) {
			release();
		}

		@Override
		public void onStartAsync(AsyncEvent event) {
		}

	}

}
