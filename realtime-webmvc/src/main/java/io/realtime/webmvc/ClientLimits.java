package io.realtime.webmvc;

import java.security.Principal;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.realtime.webmvc.RealtimeException.Reason;
import org.jspecify.annotations.Nullable;

/**
 * Each client's fair share of this instance: the connections it holds at once, and its
 * publishes, subscribes and WebSocket frames per second, each a token bucket with a burst. A
 * client is its principal's name when it has one, else its remote address (as
 * {@code getRemoteAddr()} tells it, which honours forwarded headers where the application
 * trusts them). Every refusal is a {@link Reason#RATE_LIMITED} {@link RealtimeException} that
 * says when to retry.
 * <p>
 * The buckets of a client idle long enough for all of them to be full again are forgotten,
 * which changes nothing for that client, and at most {@code maxClients} are kept (the least
 * recently seen go first), so clients that invent addresses or principals cannot grow memory
 * without limit. Connection counts need no such bound: a client is counted only while it holds
 * a connection. Server-side publishing through {@link RealtimePublisher} never comes here.
 *
 * @since 0.1.0
 */
public class ClientLimits {

	/** No limit for anyone. */
	public static final ClientLimits UNLIMITED = new ClientLimits();

	/**
	 * When a client at its connection limit may try again: a slot frees only when one of its own
	 * connections closes, which no clock tells; a few seconds keep a reconnect loop slow.
	 */
	static final Duration CONNECTION_RETRY = Duration.ofSeconds(5);

	private final int connectionsPerClient;

	/** The rates and every client's buckets; {@code null} when nothing is limited. */
	private final @Nullable Shares shares;

	private final Map<String, Integer> connections = new ConcurrentHashMap<>();

	/**
	 * Create the limits.
	 * @param connectionsPerClient the most connections one client may hold at once
	 * @param publish the publishes a client may make, over HTTP and WebSocket
	 * @param subscribe the subscribes a client may make: HTTP poll, long-poll and SSE requests
	 * and WebSocket subscribe frames
	 * @param frames the WebSocket frames a client may send, of any type
	 * @param maxClients the most clients whose buckets are kept at once
	 */
	public ClientLimits(int connectionsPerClient, Rate publish, Rate subscribe, Rate frames, int maxClients) {
		this.connectionsPerClient = connectionsPerClient;
		Cache<String, Buckets> buckets = Caffeine.newBuilder()
			.maximumSize(maxClients)
			// a client idle this long has full buckets again: forgetting it changes nothing
			.expireAfterAccess(longest(publish.refill(), subscribe.refill(), frames.refill()))
			// evictions on the caller's thread: no work handed to the common pool
			.executor(Runnable::run)
			.build();
		this.shares = new Shares(publish, subscribe, frames, buckets);
	}

	private ClientLimits() {
		this.connectionsPerClient = Integer.MAX_VALUE;
		this.shares = null;
	}

	/**
	 * The client a request or connection comes from.
	 * @param principal the user, or {@code null}
	 * @param remoteAddress the remote address, used when there is no user
	 * @return the client
	 */
	public Client client(@Nullable Principal principal, @Nullable String remoteAddress) {
		// prefixed, so that no principal can be named like another client's address
		return new Client((principal != null) ? "principal:" + principal.getName() : "address:" + remoteAddress);
	}

	private void take(String client, Kind kind) {
		Shares shares = this.shares;
		if (shares == null) {
			return;
		}
		Buckets held = shares.buckets().get(client, (key) -> shares.newBuckets());
		ConsumptionProbe probe = held.of(kind).tryConsumeAndReturnRemaining(1);
		if (!probe.isConsumed()) {
			throw new RealtimeException(Reason.RATE_LIMITED,
					"more than " + shares.of(kind) + " " + kind.label + " from this client",
					roundUpToMillis(probe.getNanosToWaitForRefill()));
		}
	}

	private void connect(String client) {
		if (this.shares == null) {
			return;
		}
		boolean[] refused = new boolean[1];
		this.connections.compute(client, (key, held) -> {
			int count = (held != null) ? held : 0;
			refused[0] = count >= this.connectionsPerClient;
			return refused[0] ? held : Integer.valueOf(count + 1);
		});
		if (refused[0]) {
			throw new RealtimeException(Reason.RATE_LIMITED,
					"more than " + this.connectionsPerClient + " connections from this client", CONNECTION_RETRY);
		}
	}

	private void disconnect(String client) {
		this.connections.computeIfPresent(client, (key, held) -> (held > 1) ? Integer.valueOf(held - 1) : null);
	}

	private static Duration longest(Duration... durations) {
		Duration longest = Duration.ofSeconds(1);
		for (Duration duration : durations) {
			longest = (duration.compareTo(longest) > 0) ? duration : longest;
		}
		return longest;
	}

	private static Duration roundUpToMillis(long nanos) {
		return Duration.ofMillis(Math.max(1, (nanos + 999_999) / 1_000_000));
	}

	/**
	 * A sustained rate with a burst above it: a token bucket of {@code burst} tokens, refilled
	 * at {@code perSecond}.
	 *
	 * @param perSecond the sustained rate, per second; fractions allowed
	 * @param burst how many may come at once
	 */
	public record Rate(double perSecond, int burst) {

		public Rate {
			if (!(perSecond > 0) || Double.isInfinite(perSecond) || burst < 1) {
				throw new IllegalArgumentException("rate must be positive and burst at least 1");
			}
		}

		/** How long an empty bucket takes to fill again. */
		Duration refill() {
			return Duration.ofNanos((long) Math.ceil(this.burst * 1e9 / this.perSecond));
		}

		private Bucket bucket() {
			// one token per 1/rate seconds: Bucket4j counts whole tokens, the rate may be a fraction
			long period = Math.max(1, Math.round(1e9 / this.perSecond));
			return Bucket.builder()
				.addLimit(Bandwidth.builder().capacity(this.burst).refillGreedy(1, Duration.ofNanos(period)).build())
				.build();
		}

		@Override
		public String toString() {
			String rate = (this.perSecond == Math.rint(this.perSecond)) ? Long.toString((long) this.perSecond)
					: Double.toString(this.perSecond);
			return rate + " per second (burst " + this.burst + ")";
		}

	}

	/**
	 * One client, by identity, and the checks of its share. Each check takes its part of the
	 * share or throws a {@link Reason#RATE_LIMITED} {@link RealtimeException}.
	 */
	public final class Client {

		private final String id;

		private Client(String id) {
			this.id = id;
		}

		/** Take one publish. */
		public void publish() {
			take(this.id, Kind.PUBLISH);
		}

		/** Take one subscribe: an HTTP subscribe request or a WebSocket subscribe frame. */
		public void subscribe() {
			take(this.id, Kind.SUBSCRIBE);
		}

		/** Take one WebSocket frame. */
		public void frame() {
			take(this.id, Kind.FRAME);
		}

		/** Take one connection slot; {@link ConnectionRegistry} gives it back when it closes. */
		void connect() {
			ClientLimits.this.connect(this.id);
		}

		void disconnect() {
			ClientLimits.this.disconnect(this.id);
		}

		@Override
		public String toString() {
			return this.id;
		}

	}

	private enum Kind {

		PUBLISH("publishes"), SUBSCRIBE("subscribes"), FRAME("frames");

		private final String label;

		Kind(String label) {
			this.label = label;
		}

	}

	private record Shares(Rate publish, Rate subscribe, Rate frames, Cache<String, Buckets> buckets) {

		Rate of(Kind kind) {
			return switch (kind) {
				case PUBLISH -> this.publish;
				case SUBSCRIBE -> this.subscribe;
				case FRAME -> this.frames;
			};
		}

		Buckets newBuckets() {
			return new Buckets(this.publish.bucket(), this.subscribe.bucket(), this.frames.bucket());
		}

	}

	private record Buckets(Bucket publish, Bucket subscribe, Bucket frames) {

		Bucket of(Kind kind) {
			return switch (kind) {
				case PUBLISH -> this.publish;
				case SUBSCRIBE -> this.subscribe;
				case FRAME -> this.frames;
			};
		}

	}

}
