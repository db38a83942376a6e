package io.realtime.webmvc.http;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.function.Consumer;

import io.realtime.core.Broker;
import io.realtime.core.Message;
import io.realtime.core.MessageListener;
import io.realtime.core.Subscription;
import io.realtime.webmvc.Admission;
import io.realtime.webmvc.ConnectionRegistry;
import io.realtime.webmvc.RealtimeConnection;
import io.realtime.webmvc.RealtimePresence;
import io.realtime.webmvc.WireFormat;
import io.realtime.webmvc.container.ContainerFastPaths;
import io.realtime.webmvc.container.DetachedResponse;
import io.realtime.webmvc.container.ResponseStream;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.jspecify.annotations.Nullable;

import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.request.async.DeferredResult;

/**
 * {@code GET {base}/long-poll?topic=…[&cursor=…][&since=…][&rewind=…]}: like poll, but when nothing is there yet the
 * request waits, holding no thread, on a {@link DeferredResult} until a message arrives or the
 * timeout passes. Where the container's fast path allows it and {@code detach} is set, a waiting
 * request is carried past its request instead ({@link ContainerFastPaths#detach}) so it keeps no
 * request buffers; its reply then ends the connection.
 *
 * @since 0.1.0
 */
@RestController
@RequestMapping("${realtime.base-path:/realtime}")
public class LongPollEndpoint {

	static final String TRANSPORT = "long-poll";

	private final Broker broker;

	private final Admission admission;

	private final ConnectionRegistry connections;

	private final WireFormat wire;

	private final ContainerFastPaths fastPaths;

	private final LongPollSettings settings;

	private final RealtimePresence presence;

	public LongPollEndpoint(Broker broker, Admission admission, ConnectionRegistry connections, WireFormat wire,
			ContainerFastPaths fastPaths, LongPollSettings settings) {
		this(broker, admission, connections, wire, fastPaths, settings, RealtimePresence.off());
	}

	/**
	 * Create the endpoint.
	 * @param broker the broker
	 * @param admission admits requests
	 * @param connections the open connections
	 * @param wire the wire format
	 * @param fastPaths the container's fast paths
	 * @param settings the settings
	 * @param presence presence on the topics polled
	 * @since 0.1.0
	 */
	public LongPollEndpoint(Broker broker, Admission admission, ConnectionRegistry connections, WireFormat wire,
			ContainerFastPaths fastPaths, LongPollSettings settings, RealtimePresence presence) {
		this.presence = presence;
		this.broker = broker;
		this.admission = admission;
		this.connections = connections;
		this.wire = wire;
		this.fastPaths = fastPaths;
		this.settings = settings;
	}

	@GetMapping("/long-poll")
	public @Nullable DeferredResult<ResponseEntity<String>> longPoll(HttpServletRequest request,
			HttpServletResponse response) throws IOException, ServletException {
		QueryParameters query = QueryParameters.of(request);
		Map<String, @Nullable String> from = SubscribeRequest.positions(this.broker, this.admission,
				query.first("cursor"), query, request);
		RealtimePresence.PollClient polling = SubscribeRequest.presence(this.presence, this.admission, from.keySet(),
				query, request);
		Batch batch = Batch.read(this.broker, from, this.settings.maxBatch()).presence(polling);
		if (batch.isReady()) {
			// written here: a DeferredResult set at once would still dispatch the request again
			byte[] json = batch.json(this.wire).getBytes(StandardCharsets.UTF_8);
			Batch.headers(response);
			response.setContentLength(json.length);
			response.getOutputStream().write(json);
			return null;
		}
		// the topic limit is answered here: once taken over, a poll could only close
		this.broker.checkRoomFor(from.keySet());
		Waiter waiter = new Waiter(batch);
		this.connections.open(waiter, this.admission.client(request.getUserPrincipal(), request.getRemoteAddr()));
		try {
			if (this.settings.detach() && this.fastPaths.canDetach(request)) {
				Batch.headers(response);
				this.fastPaths.detach(request, response, waiter.detached(), this.settings.sendTimeLimit());
				return null;
			}
			DeferredResult<ResponseEntity<String>> result = new DeferredResult<>(this.settings.timeout().toMillis());
			// answered on the container's thread before Spring's own timeout handling runs, also
			// when a reply decided just now is still on its way from another thread
			result.onTimeout(() -> result.setResult(Batch.reply(waiter.decided())));
			result.onCompletion(waiter::release);
			result.onError((ex) -> waiter.release());
			waiter.subscribe((json) -> result.setResult(Batch.reply(json)));
			return result;
		}
		catch (IOException | ServletException | RuntimeException ex) {
			waiter.release();
			throw ex;
		}
	}

	/**
	 * One waiting request: subscribed to its topics until the first message or the timeout, then
	 * answered once with what its batch holds.
	 */
	private final class Waiter implements RealtimeConnection {

		private final Batch batch;

		/** Told of presence news while waiting; one instance, as the client tells waits apart by it. */
		private final Runnable newsArrived = this::onNews;

		private final List<Subscription> subscriptions = new ArrayList<>();

		private @Nullable Consumer<String> reply;

		/** A carried-past request's timeout, which the container no longer keeps. */
		private @Nullable ScheduledFuture<?> timeout;

		/** Set once every subscription is in place; before that, messages only collect. */
		private boolean armed;

		/** The reply's body once decided; messages that come later are the next request's. */
		private @Nullable String decided;

		/** Set once the reply is handed to {@link #reply}. */
		private boolean replied;

		private boolean released;

		Waiter(Batch batch) {
			this.batch = batch;
		}

		DetachedResponse detached() {
			return new DetachedResponse() {

				@Override
				public void start(ResponseStream stream) {
					Waiter.this.timeout = LongPollEndpoint.this.connections.schedule(Waiter.this::finish,
							LongPollEndpoint.this.settings.timeout());
					// the headers went out when the request was carried off; the body ends with the connection
					subscribe((json) -> {
						try {
							stream.write(json.getBytes(StandardCharsets.UTF_8), stream::close);
						}
						catch (IOException | RuntimeException ex) {
							stream.close();
						}
					});
				}

				@Override
				public void clientGone() {
					release();
				}

				@Override
				public void destroyed() {
					release();
				}

			};
		}

		/** Subscribe from the positions just read, which closes the gap between read and wait. */
		void subscribe(Consumer<String> reply) {
			this.reply = reply;
			RealtimePresence.PollClient polling = this.batch.presence();
			if (polling != null) {
				// the client stays present while this request waits, and news ends the wait
				polling.await(this.newsArrived);
			}
			try {
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
				throw ex;
			}
			boolean ready;
			synchronized (this) {
				this.armed = true;
				ready = this.batch.isReady();
			}
			if (ready) {
				finish();
			}
		}

		private void onMessage(Message message) {
			boolean ready;
			synchronized (this) {
				ready = this.decided == null && this.batch.add(message) && this.armed;
			}
			if (ready) {
				// off the publisher's thread, which holds the topic's lock
				LongPollEndpoint.this.connections.writers().execute(this::finish);
			}
		}

		private void onReset(String topic) {
			boolean ready;
			synchronized (this) {
				this.batch.reset(topic);
				ready = this.armed;
			}
			if (ready) {
				LongPollEndpoint.this.connections.writers().execute(this::finish);
			}
		}

		private void onNews() {
			boolean ready;
			synchronized (this) {
				ready = this.decided == null && this.armed;
			}
			if (ready) {
				LongPollEndpoint.this.connections.writers().execute(this::finish);
			}
		}

		/** Reply with what the batch holds, unless the reply went already. */
		void finish() {
			String json;
			Consumer<String> reply;
			synchronized (this) {
				if (this.replied || this.reply == null) {
					return;
				}
				this.replied = true;
				json = decide();
				reply = this.reply;
			}
			release();
			reply.accept(json);
		}

		/** The reply's body, fixed by the first call, with the subscriptions released. */
		String decided() {
			String json = decide();
			// outside the lock: a publisher holds the topic's lock while calling in
			release();
			return json;
		}

		private synchronized String decide() {
			if (this.decided == null) {
				this.decided = this.batch.json(LongPollEndpoint.this.wire);
			}
			return this.decided;
		}

		/** Cancel the subscriptions and forget the request; safe to call more than once. */
		void release() {
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
			RealtimePresence.PollClient polling = this.batch.presence();
			if (polling != null && this.reply != null) {
				polling.answered(this.newsArrived);
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

	}

}
