package io.realtime.redis;

import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.realtime.core.Broker;
import io.realtime.core.BrokerUnavailableException;
import io.realtime.core.HistoryPage;
import io.realtime.core.InMemoryBroker;
import io.realtime.core.Message;
import io.realtime.core.MessageListener;
import io.realtime.core.Subscription;
import io.realtime.core.TopicLimitException;
import io.realtime.core.Topics;
import io.realtime.redis.TopicStreams.Durability;
import io.realtime.redis.TopicStreams.Entry;
import io.realtime.redis.TopicStreams.Page;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * A {@link Broker} whose messages live in Redis, so every application instance on the same
 * Redis shares one message stream. Each topic's history is a Redis Stream trimmed by count and
 * age; message ids are the stream's ids, qualified by an epoch drawn when the topic's keys are
 * created, so an id handed out by any instance is valid on every instance and never mistaken
 * for an id of an earlier Redis lifetime. Only publishing creates a topic's keys, which expire
 * once the topic has published nothing for a little longer than history lasts; reading or
 * subscribing to a topic without keys leaves nothing in Redis, and its position resumes gap-free
 * while nothing could have come and gone since.
 *
 * <p>Every publish also announces the message, with the id it follows, on the topic's own
 * pub/sub channel ({@code <namespace>:{<topic>}:notifications}, in the slot of the topic's keys).
 * An instance listens, on one connection of its own, only to the channels of the topics it has
 * local subscribers on: it subscribes when a topic's first local subscriber arrives and
 * unsubscribes when the last one leaves, so an instance pays nothing for the other topics. On a
 * Redis Cluster the channels are sharded ({@code SPUBLISH}, {@code SSUBSCRIBE}, Redis 7 or newer):
 * a notification travels only within the shard that owns the topic, and subscriptions follow the
 * topic's slot to its new owner after a failover or a slot migration (with Lettuce's cluster
 * topology refresh enabled). Elsewhere they are classic channels. The instance feeds its
 * subscribers per topic in stream order; when the id a message follows is not the last one the
 * instance delivered (the notification came before the subscription took effect, or was lost to
 * a disconnect), it reads the missing entries from the stream first, and it reads the stream
 * again each time Redis confirms a subscription. Listeners are called on the broker's own
 * threads, never two at once for one subscription. Listening needs a
 * {@link LettuceConnectionFactory}.
 *
 * <p>Redis replicates asynchronously: a replica promoted after its master failed may lack
 * messages the master acknowledged. Epochs also depend on the lineage of the Redis data (its
 * replication id, new on every promotion and start), so after a failover every position handed
 * out before it is answered with a reset, never resumed over the missing messages, no id is
 * handed out twice, and live subscriptions are told through {@link MessageListener#onReset()}.
 * With {@link #setMinReplicas(int)}, publishes answer once replicas have the message, so a
 * failover to one of them loses no acknowledged message either.
 *
 * <p>While Redis is unreachable, publishing and reading throw
 * {@link BrokerUnavailableException}; subscriptions stay in place and catch up from history
 * once Redis answers again.
 *
 * @since 0.1.0
 */
public final class RedisBroker implements Broker, AutoCloseable {

	private static final Log logger = LogFactory.getLog(RedisBroker.class);

	/** Key prefix used unless {@link #setNamespace(String)} says otherwise. */
	public static final String DEFAULT_NAMESPACE = "realtime";

	/** Most entries fetched by one read while catching up. */
	static final int READ_BATCH = 500;

	private final RedisConnectionFactory connectionFactory;

	private final StringRedisTemplate redis;

	private final int historySize;

	private final Duration historyTtl;

	private String namespace = DEFAULT_NAMESPACE;

	private Durability durability = Durability.NONE;

	/** Whether notifications use sharded pub/sub (on a Redis Cluster). */
	private final boolean sharded;

	/** Longest a blocking publish waits: past Lettuce's own command timeout. */
	private final Duration maxWait;

	/** The topics' streams in Redis, under the namespace. */
	private TopicStreams streams;

	private final Map<String, TopicFanout> fanouts = new ConcurrentHashMap<>();

	private final AtomicLong subscriptions = new AtomicLong();

	private final AtomicLong notifications = new AtomicLong();

	private volatile int maxTopics = InMemoryBroker.defaultMaxTopics();

	private @Nullable ScheduledThreadPoolExecutor executor;

	private @Nullable TopicChannels channels;

	/**
	 * Create a broker; {@link #start() start} it before subscribing.
	 * @param connectionFactory the Redis connections: a {@link LettuceConnectionFactory} to a
	 * standalone Redis, a Redis Cluster, or one found through Sentinel
	 * @param historySize the most messages kept per topic, at least 1
	 * @param historyTtl how long a message stays in history, positive
	 */
	public RedisBroker(RedisConnectionFactory connectionFactory, int historySize, Duration historyTtl) {
		this.connectionFactory = Objects.requireNonNull(connectionFactory, "connectionFactory must not be null");
		if (historySize < 1) {
			throw new IllegalArgumentException("historySize must be at least 1");
		}
		Objects.requireNonNull(historyTtl, "historyTtl must not be null");
		if (historyTtl.isNegative() || historyTtl.isZero()) {
			throw new IllegalArgumentException("historyTtl must be positive");
		}
		this.historySize = historySize;
		this.historyTtl = historyTtl;
		this.maxWait = ((connectionFactory instanceof LettuceConnectionFactory lettuce)
				? lettuce.getClientConfiguration().getCommandTimeout() : Duration.ofSeconds(60)).plusSeconds(1);
		this.redis = new StringRedisTemplate(connectionFactory);
		this.sharded = TopicChannels.isSharded(connectionFactory);
		this.streams = newStreams();
	}

	/**
	 * Set the prefix of every Redis key and channel of this broker. Instances share messages
	 * only when they use the same namespace on the same Redis.
	 * @param namespace the prefix, such as {@code realtime} (the default)
	 */
	public void setNamespace(String namespace) {
		if (namespace == null || namespace.isBlank()) {
			throw new IllegalArgumentException("namespace must not be empty");
		}
		this.namespace = namespace;
		replaceStreams();
	}

	/**
	 * Set how many replicas must have a message before its publish answers ({@code WAIT} right
	 * after it): a failover to one of them then loses no acknowledged message. When fewer have it
	 * within the {@linkplain #setReplicaTimeout(Duration) replica timeout}, the publish throws
	 * {@link BrokerUnavailableException}, though the message may still be delivered. Not
	 * available on Redis Cluster yet.
	 * @param minReplicas the replicas, 0 (the default) to answer as soon as the master has it
	 */
	public void setMinReplicas(int minReplicas) {
		if (minReplicas < 0) {
			throw new IllegalArgumentException("minReplicas must not be negative");
		}
		this.durability = new Durability(minReplicas, this.durability.timeout());
		replaceStreams();
	}

	/**
	 * Set how long a publish waits for its {@linkplain #setMinReplicas(int) replicas}; the Redis
	 * command timeout must be longer.
	 * @param replicaTimeout the longest wait, positive (1 second by default)
	 */
	public void setReplicaTimeout(Duration replicaTimeout) {
		Objects.requireNonNull(replicaTimeout, "replicaTimeout must not be null");
		if (replicaTimeout.toMillis() < 1) {
			throw new IllegalArgumentException("replicaTimeout must be at least 1 ms");
		}
		this.durability = new Durability(this.durability.replicas(), replicaTimeout);
		replaceStreams();
	}

	/**
	 * Set the most topics this instance delivers to local subscribers at once (each holds a
	 * fan-out); past it, a subscribe to another topic throws {@link TopicLimitException}.
	 * Publishing is not limited here: history lives in Redis, trimmed by count and age.
	 * @param maxTopics the limit, at least 1
	 */
	public void setMaxTopics(int maxTopics) {
		if (maxTopics < 1) {
			throw new IllegalArgumentException("maxTopics must be at least 1");
		}
		this.maxTopics = maxTopics;
	}

	@Override
	public void checkRoomFor(Collection<String> topics) {
		long missing = topics.stream().filter((topic) -> !this.fanouts.containsKey(topic)).count();
		if (missing > 0 && this.fanouts.size() + missing > this.maxTopics) {
			throw new TopicLimitException("too many topics (" + this.maxTopics + "), try again later");
		}
	}

	/**
	 * Start listening for messages published by every instance on the topics this instance has
	 * subscribers on. Redis need not be reachable yet: the listener connects as soon as it is.
	 */
	public synchronized void start() {
		if (this.executor != null) {
			return;
		}
		if (this.durability.replicas() > 0 && this.sharded) {
			// WAIT counts the writes of its own connection, which on a cluster is not the topic's node's
			throw new IllegalStateException("minReplicas is not supported on Redis Cluster yet");
		}
		TopicChannels channels = new TopicChannels(this.connectionFactory, (topic) -> this.streams.channel(topic),
				new Notifications());
		ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(2, new DaemonThreads());
		executor.setRemoveOnCancelPolicy(true);
		this.executor = executor;
		this.channels = channels;
		if (!channels.connect()) {
			logger.warn("Redis is not reachable yet; the realtime broker listens once it is");
		}
		// fan-outs whose reads failed try again, whether or not the listener noticed an outage, and
		// channels Redis has not confirmed (yet, or any more on the node that owns them) are subscribed again
		executor.scheduleWithFixedDelay(this::check, 1, 1, TimeUnit.SECONDS);
	}

	/**
	 * Stop listening and release the broker's threads. Subscriptions receive nothing more.
	 */
	@Override
	public synchronized void close() {
		TopicChannels channels = this.channels;
		if (channels != null) {
			channels.close();
			this.channels = null;
		}
		if (this.executor != null) {
			this.executor.shutdownNow();
			this.executor = null;
		}
		this.streams.close();
	}

	/**
	 * {@inheritDoc}
	 * <p>Waits for Redis at most Lettuce's command timeout (and a second), then throws
	 * {@link BrokerUnavailableException}.
	 */
	@Override
	public Message publish(String topic, String data) {
		CompletableFuture<Message> result = publishAsync(topic, data);
		try {
			return result.get(this.maxWait.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (ExecutionException ex) {
			throw (ex.getCause() instanceof RuntimeException failure) ? failure
					: TopicStreams.unavailable(ex.getCause());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw TopicStreams.unavailable(ex);
		}
		catch (TimeoutException ex) {
			throw TopicStreams.unavailable(ex);
		}
	}

	/**
	 * {@inheritDoc}
	 * <p>Publishes of every thread share one Redis connection, many in flight at once, and reach
	 * Redis in the order they are called. The result completes on a Lettuce thread: whatever
	 * depends on it must not block. Lettuce's command timeout bounds the wait.
	 */
	@Override
	public CompletableFuture<Message> publishAsync(String topic, String data) {
		Topics.requireValid(topic);
		Objects.requireNonNull(data, "data must not be null");
		return this.streams.append(topic, data);
	}

	@Override
	public HistoryPage read(String topic, @Nullable String after, int limit) {
		Topics.requireValid(topic);
		if (limit < 0) {
			throw new IllegalArgumentException("limit must not be negative");
		}
		StreamPosition from = (after != null) ? StreamPosition.parse(after) : null;
		Page page = this.streams.read(topic, from, limit);
		return new HistoryPage(page.messages(), page.recovered(), page.position().id());
	}

	@Override
	public String rewind(String topic, int count) {
		Topics.requireValid(topic);
		if (count < 0) {
			throw new IllegalArgumentException("count must not be negative");
		}
		return this.streams.rewind(topic, count).id();
	}

	@Override
	public Subscription subscribe(String topic, @Nullable String after, MessageListener listener) {
		Topics.requireValid(topic);
		Objects.requireNonNull(listener, "listener must not be null");
		StreamPosition from = (after != null) ? StreamPosition.parse(after) : null;
		if (this.executor == null) {
			throw new IllegalStateException("broker is not started");
		}
		// listen to the topic first, then resolve the position (and whether it can be resumed); the
		// fan-out delivers the rest, reading the stream again once Redis confirms the subscription
		TopicFanout fanout = reserve(topic);
		Page start;
		try {
			start = this.streams.read(topic, from, 0);
		}
		catch (RuntimeException ex) {
			release(fanout);
			throw ex;
		}
		this.subscriptions.incrementAndGet();
		TopicSubscription subscription = new TopicSubscription(fanout, listener, start.recovered(),
				start.position());
		try {
			listener.onSubscribed(start.recovered());
		}
		catch (RuntimeException ex) {
			subscription.cancel();
			throw ex;
		}
		fanout.join(subscription);
		return subscription;
	}

	@Override
	public long subscriptionCount() {
		return this.subscriptions.get();
	}

	/**
	 * The number of topics this instance delivers to local subscribers.
	 * @return the count
	 */
	public int topicCount() {
		return this.fanouts.size();
	}

	/**
	 * Whether this instance is listening for messages of the other instances.
	 * @return {@code true} while the listener's connection is open
	 */
	public boolean isListening() {
		TopicChannels channels = this.channels;
		return channels != null && channels.isListening();
	}

	/**
	 * The number of message notifications this instance has received from Redis and decoded,
	 * since it started: only those of topics it has local subscribers on.
	 * @return the count, which only grows
	 */
	public long notificationCount() {
		return this.notifications.get();
	}

	/**
	 * Whether notifications use sharded pub/sub, as they do on a Redis Cluster.
	 * @return {@code true} on a Redis Cluster
	 */
	public boolean isSharded() {
		return this.sharded;
	}

	/**
	 * Check that Redis answers.
	 * @throws BrokerUnavailableException when it does not
	 */
	public void ping() {
		this.streams.ping();
	}

	/** Whether Redis confirmed that this instance listens to a topic's channel. */
	boolean isListeningTo(String topic) {
		TopicChannels channels = this.channels;
		return channels != null && channels.isConfirmed(topic);
	}

	/** The topics' streams in Redis. */
	TopicStreams streams() {
		return this.streams;
	}

	private void replaceStreams() {
		TopicStreams previous = this.streams;
		this.streams = newStreams();
		previous.close();
	}

	private TopicStreams newStreams() {
		return new TopicStreams(this.connectionFactory, this.redis, this.historySize, this.historyTtl, this.namespace,
				this.sharded, this.durability);
	}

	void dispatch(Runnable task) {
		ScheduledThreadPoolExecutor executor = this.executor;
		if (executor != null && !executor.isShutdown()) {
			try {
				executor.execute(task);
			}
			catch (RuntimeException ex) {
				logger.debug("Realtime delivery task rejected while stopping", ex);
			}
		}
	}

	void released(TopicSubscription subscription) {
		this.subscriptions.decrementAndGet();
		release(subscription.fanout());
	}

	/** Hold a topic's fan-out, listening to the topic's channel when it is the first. */
	private TopicFanout reserve(String topic) {
		return this.fanouts.compute(topic, (key, held) -> {
			if (held == null && this.fanouts.size() >= this.maxTopics) {
				throw new TopicLimitException("too many topics (" + this.maxTopics + "), try again later");
			}
			TopicFanout fanout = (held != null) ? held : new TopicFanout(key, this);
			fanout.enter();
			if (held == null) {
				// inside the map's lock for the topic: (un)subscribes of one topic go out in order
				listen(key, true);
			}
			return fanout;
		});
	}

	/** Let go of a topic's fan-out, and of the topic's channel with the last one. */
	private void release(TopicFanout fanout) {
		this.fanouts.computeIfPresent(fanout.topic(), (topic, held) -> {
			if (held == fanout && held.leave()) {
				listen(topic, false);
				return null;
			}
			return held;
		});
	}

	private void listen(String topic, boolean listen) {
		TopicChannels channels = this.channels;
		if (channels != null) {
			if (listen) {
				channels.subscribe(topic);
			}
			else {
				channels.unsubscribe(topic);
			}
		}
	}

	private void check() {
		TopicChannels channels = this.channels;
		if (channels != null) {
			channels.check();
		}
		this.fanouts.values().forEach(TopicFanout::resumeIfStalled);
	}

	/** Hands every announced message to the fan-out of its topic. */
	private final class Notifications implements TopicChannels.Listener {

		@Override
		public void message(String body) {
			RedisBroker.this.notifications.incrementAndGet();
			// topic \n epoch \n previous id \n id \n data
			String[] parts = body.split("\n", 5);
			if (parts.length < 5) {
				return;
			}
			TopicFanout fanout = RedisBroker.this.fanouts.get(parts[0]);
			StreamPosition previous = StreamPosition.of(parts[1], parts[2]);
			StreamPosition position = StreamPosition.of(parts[1], parts[3]);
			if (fanout != null && previous != null && position != null) {
				fanout.announced(previous,
						new Entry(position, new Message(parts[0], position.id(), parts[4], position.millis())));
			}
		}

		@Override
		public void subscribed(String topic) {
			// whatever was published before the subscription took effect (or while the connection was
			// down) is in the stream
			TopicFanout fanout = RedisBroker.this.fanouts.get(topic);
			if (fanout != null) {
				fanout.catchUp();
			}
		}

	}

	private static final class DaemonThreads implements ThreadFactory {

		private static final AtomicInteger count = new AtomicInteger();

		@Override
		public Thread newThread(Runnable task) {
			Thread thread = new Thread(task, "realtime-redis-" + count.incrementAndGet());
			thread.setDaemon(true);
			return thread;
		}

	}

}
