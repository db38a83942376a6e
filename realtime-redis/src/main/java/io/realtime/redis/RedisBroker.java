package io.realtime.redis;

import java.nio.charset.StandardCharsets;
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
import io.realtime.redis.TopicStreams.Entry;
import io.realtime.redis.TopicStreams.Page;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.core.task.SyncTaskExecutor;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.SubscriptionListener;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.listener.ChannelTopic;
import org.springframework.data.redis.listener.RedisMessageListenerContainer;
import org.springframework.util.backoff.FixedBackOff;

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
 * <p>Every publish also announces the message, with the id it follows, on one pub/sub channel.
 * Each instance listens on one connection and feeds its own subscribers per topic in stream
 * order; when the id a message follows is not the last one the instance delivered (a
 * notification was lost to a disconnect, say), it reads the missing entries from the stream
 * first. Listeners are called on the broker's own threads, never two at once for one
 * subscription.
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

	/** Longest a blocking publish waits: past Lettuce's own command timeout. */
	private final Duration maxWait;

	/** The topics' streams in Redis, under the namespace. */
	private TopicStreams streams;

	private final Map<String, TopicFanout> fanouts = new ConcurrentHashMap<>();

	private final AtomicLong subscriptions = new AtomicLong();

	private volatile int maxTopics = InMemoryBroker.defaultMaxTopics();

	private @Nullable ScheduledThreadPoolExecutor executor;

	private @Nullable RedisMessageListenerContainer container;

	/**
	 * Create a broker; {@link #start() start} it before subscribing.
	 * @param connectionFactory the Redis connections
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
		this.streams = new TopicStreams(connectionFactory, this.redis, historySize, historyTtl, DEFAULT_NAMESPACE);
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
		this.streams.close();
		this.streams = new TopicStreams(this.connectionFactory, this.redis, this.historySize, this.historyTtl,
				namespace);
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
	 * Start listening for messages published by every instance. Redis need not be reachable
	 * yet: the listener connects as soon as it is.
	 */
	public synchronized void start() {
		if (this.executor != null) {
			return;
		}
		ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(2, new DaemonThreads());
		executor.setRemoveOnCancelPolicy(true);
		// fan-outs whose reads failed try again, whether or not the listener noticed an outage
		executor.scheduleWithFixedDelay(this::resumeStalled, 1, 1, TimeUnit.SECONDS);
		this.executor = executor;
		RedisMessageListenerContainer container = new RedisMessageListenerContainer();
		container.setConnectionFactory(this.connectionFactory);
		// the listener only queues, so it may run on the connection's own thread, in order
		container.setTaskExecutor(new SyncTaskExecutor());
		container.setRecoveryBackoff(new FixedBackOff(500, FixedBackOff.UNLIMITED_ATTEMPTS));
		container.addMessageListener(new Notifications(), new ChannelTopic(this.streams.channel()));
		container.afterPropertiesSet();
		try {
			container.start();
		}
		catch (RuntimeException ex) {
			logger.warn("Redis is not reachable yet; the realtime broker listens once it is: " + ex.getMessage());
		}
		this.container = container;
	}

	/**
	 * Stop listening and release the broker's threads. Subscriptions receive nothing more.
	 */
	@Override
	public synchronized void close() {
		RedisMessageListenerContainer container = this.container;
		if (container != null) {
			try {
				container.destroy();
			}
			catch (Exception ex) {
				logger.debug("Failed to stop the Redis listener", ex);
			}
			this.container = null;
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
	public Subscription subscribe(String topic, @Nullable String after, MessageListener listener) {
		Topics.requireValid(topic);
		Objects.requireNonNull(listener, "listener must not be null");
		StreamPosition from = (after != null) ? StreamPosition.parse(after) : null;
		if (this.executor == null) {
			throw new IllegalStateException("broker is not started");
		}
		// resolve the position (and whether it can be resumed) now; the fan-out delivers the rest
		Page start = this.streams.read(topic, from, 0);
		TopicFanout fanout = reserve(topic);
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
	 * @return {@code true} while the listener's connection is subscribed
	 */
	public boolean isListening() {
		RedisMessageListenerContainer container = this.container;
		return container != null && container.isListening();
	}

	/**
	 * Check that Redis answers.
	 * @throws BrokerUnavailableException when it does not
	 */
	public void ping() {
		this.streams.ping();
	}

	/** The topics' streams in Redis. */
	TopicStreams streams() {
		return this.streams;
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
		TopicFanout fanout = subscription.fanout();
		this.fanouts.computeIfPresent(fanout.topic(), (topic, held) -> (held == fanout && held.leave()) ? null : held);
	}

	private TopicFanout reserve(String topic) {
		return this.fanouts.compute(topic, (key, held) -> {
			if (held == null && this.fanouts.size() >= this.maxTopics) {
				throw new TopicLimitException("too many topics (" + this.maxTopics + "), try again later");
			}
			TopicFanout fanout = (held != null) ? held : new TopicFanout(key, this);
			fanout.enter();
			return fanout;
		});
	}

	private void resumeStalled() {
		this.fanouts.values().forEach(TopicFanout::resumeIfStalled);
	}

	/** Hands every announced message to the fan-out of its topic, if this instance has one. */
	private final class Notifications implements org.springframework.data.redis.connection.MessageListener,
			SubscriptionListener {

		@Override
		public void onMessage(org.springframework.data.redis.connection.Message message, byte @Nullable [] pattern) {
			// topic \n epoch \n previous id \n id \n data
			String[] parts = new String(message.getBody(), StandardCharsets.UTF_8).split("\n", 5);
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
		public void onChannelSubscribed(byte[] channel, long count) {
			// (re)connected: whatever was announced while the connection was down is in the streams
			RedisBroker.this.fanouts.values().forEach(TopicFanout::catchUp);
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
