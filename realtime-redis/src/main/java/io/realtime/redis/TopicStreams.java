package io.realtime.redis;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.lettuce.core.api.async.BaseRedisAsyncCommands;
import io.realtime.core.BrokerUnavailableException;
import io.realtime.core.Message;
import org.jspecify.annotations.Nullable;

import org.springframework.core.io.ClassPathResource;
import org.springframework.dao.DataAccessException;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.RedisOperations;
import org.springframework.data.redis.core.SessionCallback;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.util.StreamUtils;

/**
 * The Redis side of the broker: one Redis Stream per topic with its state key, written and read
 * by Lua scripts that trim the stream by count and age and draw the topic's epoch, so every
 * instance sees the same ids. Only a publish creates a topic's keys, and each publish makes them
 * expire a {@linkplain #keyLifetime little longer} than history lasts; reading a topic without
 * keys creates nothing. Any command Redis does not answer is a
 * {@link BrokerUnavailableException}.
 */
final class TopicStreams {

	/** Most time a topic's keys outlive its newest message's history. */
	private static final Duration MAX_IDLE_MARGIN = Duration.ofMinutes(1);

	@SuppressWarnings("rawtypes")
	private static final RedisScript<List> PUBLISH = script("publish.lua");

	@SuppressWarnings("rawtypes")
	private static final RedisScript<List> READ = script("read.lua");

	@SuppressWarnings("rawtypes")
	private static final RedisScript<List> REWIND = script("rewind.lua");

	/** Time allowed beyond a WAIT's own timeout for its answer to arrive. */
	private static final Duration WAIT_MARGIN = Duration.ofSeconds(5);

	private final StringRedisTemplate redis;

	/** Publishes: many in flight on one connection. */
	private final ScriptPipeline publishes;

	private final long historyTtlMillis;

	private final long keyLifetimeMillis;

	private final String namespace;

	/** The command that announces a message: sharded on a Redis Cluster. */
	private final String publishCommand;

	private final Durability durability;

	/** The publish script's arguments that never change: history size, ttl, key lifetime. */
	private final String historySizeArgument;

	private final String historyTtlArgument;

	private final String keyLifetimeArgument;

	TopicStreams(RedisConnectionFactory connectionFactory, StringRedisTemplate redis, int historySize,
			Duration historyTtl, String namespace, boolean sharded, Durability durability) {
		this.redis = redis;
		this.historyTtlMillis = historyTtl.toMillis();
		this.keyLifetimeMillis = keyLifetime(historyTtl).toMillis();
		this.namespace = namespace;
		this.publishCommand = sharded ? "SPUBLISH" : "PUBLISH";
		this.durability = durability;
		this.historySizeArgument = Integer.toString(historySize);
		this.historyTtlArgument = Long.toString(this.historyTtlMillis);
		this.keyLifetimeArgument = Long.toString(this.keyLifetimeMillis);
		this.publishes = new ScriptPipeline(connectionFactory, PUBLISH,
				(keys, args) -> result(execute(PUBLISH, keys, (Object[]) args)));
	}

	/**
	 * The pub/sub channel a topic's messages are announced on; its hash tag puts it in the slot
	 * of the topic's keys, as sharded pub/sub from a script needs.
	 */
	String channel(String topic) {
		return this.namespace + ":{" + topic + "}:notifications";
	}

	/**
	 * Append a message to its topic's stream and announce it. Without {@link Durability#replicas()},
	 * without waiting for Redis, and appends called one after another reach Redis in that order;
	 * with them, on the caller's thread, answering only once that many replicas have it.
	 */
	CompletableFuture<Message> append(String topic, String data) {
		String[] args = { data, this.historySizeArgument, this.historyTtlArgument, this.keyLifetimeArgument,
				newEpoch(), channel(topic), topic, this.publishCommand };
		if (this.durability.replicas() > 0) {
			// WAIT counts the writes of the connection it runs on, so script and WAIT share one
			try {
				return CompletableFuture.completedFuture(message(topic, data, executeAndWait(PUBLISH, topic, args)));
			}
			catch (RuntimeException ex) {
				return CompletableFuture.failedFuture(ex);
			}
		}
		return this.publishes.run(keys(topic), args).thenApply((result) -> message(topic, data, result));
	}

	private static Message message(String topic, String data, List<?> result) {
		StreamPosition position = requirePosition((String) result.get(0), (String) result.get(1));
		return new Message(topic, position.id(), data, position.millis());
	}

	/** Close the publishing connection; the next append opens another. */
	void close() {
		this.publishes.close();
	}

	/**
	 * Read a topic after a position; {@code null} means now.
	 */
	Page read(String topic, @Nullable StreamPosition after, int limit) {
		List<?> result = execute(READ, topic, Long.toString(this.historyTtlMillis),
				Long.toString(this.keyLifetimeMillis), (after != null) ? after.epoch() : "",
				(after != null) ? after.rest() : "", Integer.toString(limit));
		String epoch = (String) result.get(0);
		StreamPosition last = requirePosition(epoch, (String) result.get(1));
		StreamPosition trimmed = requirePosition(epoch, (String) result.get(2));
		String outcome = (String) result.get(3);
		if (last.isEmptyTopic()) {
			// no keys, nothing to read: the topic is empty as of now
			return new Page(List.of(), !"reset".equals(outcome), last);
		}
		if ("now".equals(outcome) || after == null) {
			return new Page(List.of(), true, last);
		}
		List<Entry> entries = new ArrayList<>();
		for (Object item : (List<?>) result.get(4)) {
			List<?> entry = (List<?>) item;
			StreamPosition position = requirePosition(epoch, (String) entry.get(0));
			List<?> fields = (List<?>) entry.get(1);
			entries.add(new Entry(position, new Message(topic, position.id(), (String) fields.get(1),
					position.millis())));
		}
		boolean recovered = "recovered".equals(outcome);
		StreamPosition position;
		if (!entries.isEmpty()) {
			position = entries.get(entries.size() - 1).position();
		}
		else if (recovered) {
			position = after;
		}
		else {
			// nothing held (or nothing asked for): continue right before the oldest entry
			position = (limit > 0) ? last : trimmed;
		}
		return new Page(entries, recovered, position);
	}

	/**
	 * The position right before a topic's newest {@code count} entries, which {@link #read}
	 * resumes from gap-free.
	 */
	StreamPosition rewind(String topic, int count) {
		List<?> result = execute(REWIND, topic, Long.toString(this.historyTtlMillis), Integer.toString(count));
		return requirePosition((String) result.get(0), (String) result.get(1));
	}

	/** Check that Redis answers. */
	void ping() {
		try {
			this.redis.execute((RedisCallback<String>) (connection) -> connection.ping());
		}
		catch (DataAccessException ex) {
			throw unavailable(ex);
		}
	}

	@SuppressWarnings("rawtypes")
	private List<?> execute(RedisScript<List> script, String topic, String... args) {
		return result(execute(script, keys(topic), (Object[]) args));
	}

	@SuppressWarnings("rawtypes")
	private List<?> execute(RedisScript<List> script, List<String> keys, Object... args) {
		try {
			return this.redis.execute(script, keys, args);
		}
		catch (DataAccessException ex) {
			throw unavailable(ex);
		}
	}

	/**
	 * Run a script, then WAIT on the same connection: Redis counts the replicas that have every
	 * write of that connection so far, the script's included.
	 */
	@SuppressWarnings({ "rawtypes", "unchecked" })
	private List<?> executeAndWait(RedisScript<List> script, String topic, String... args) {
		int replicas = this.durability.replicas();
		long timeout = this.durability.timeout().toMillis();
		Long acknowledged;
		List<?> result;
		try {
			Object[] answers = this.redis.execute(new SessionCallback<Object[]>() {

				@Override
				public Object[] execute(RedisOperations operations) {
					List<?> result = (List<?>) operations.execute(script, keys(topic), (Object[]) args);
					Long acknowledged = (Long) operations
						.execute((RedisCallback<Long>) (connection) -> waitForReplicas(connection, replicas, timeout));
					return new Object[] { result, acknowledged };
				}

			});
			result = result((List<?>) answers[0]);
			acknowledged = (Long) answers[1];
		}
		catch (DataAccessException ex) {
			throw unavailable(ex);
		}
		if (acknowledged == null || acknowledged < replicas) {
			// the message is on the master and may have been delivered: a retry may repeat it
			throw new BrokerUnavailableException("the message broker (Redis) got the message to "
					+ ((acknowledged != null) ? acknowledged : 0) + " of " + replicas + " replicas within "
					+ timeout + " ms, try again later");
		}
		return result;
	}

	private static Long waitForReplicas(RedisConnection connection, int replicas, long timeout) {
		if (!(connection.getNativeConnection() instanceof BaseRedisAsyncCommands<?, ?> commands)) {
			throw new IllegalStateException("minReplicas needs a Lettuce connection");
		}
		try {
			// WAIT answers within its timeout; the margin only covers a connection that went silent
			return commands.waitForReplication(replicas, timeout).toCompletableFuture()
				.get(timeout + WAIT_MARGIN.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new BrokerUnavailableException("interrupted while waiting for Redis replicas", ex);
		}
		catch (ExecutionException | TimeoutException ex) {
			throw new BrokerUnavailableException("the message broker (Redis) is unavailable, try again later", ex);
		}
	}

	/** A topic's keys: its stream and its state, in one cluster slot. */
	private List<String> keys(String topic) {
		String key = this.namespace + ":{" + topic + "}";
		return List.of(key + ":stream", key + ":state");
	}

	private static List<?> result(@Nullable List<?> result) {
		if (result == null) {
			throw new IllegalStateException("Redis script returned nothing");
		}
		return result;
	}

	/**
	 * How long a topic's keys live after its latest publish: its history, and a margin so a client
	 * that has the newest message still resumes gap-free for a while after it aged out. An empty
	 * topic's position resumes gap-free for this long too: keys created after it cannot have
	 * expired sooner.
	 */
	static Duration keyLifetime(Duration historyTtl) {
		return historyTtl.plus((historyTtl.compareTo(MAX_IDLE_MARGIN) < 0) ? historyTtl : MAX_IDLE_MARGIN);
	}

	static BrokerUnavailableException unavailable(Throwable ex) {
		return ScriptPipeline.unavailable(ex);
	}

	private static StreamPosition requirePosition(String epoch, String streamId) {
		StreamPosition position = StreamPosition.of(epoch, streamId);
		if (position == null) {
			throw new IllegalStateException("Redis returned an unexpected stream id '" + streamId + "'");
		}
		return position;
	}

	/**
	 * A seed for the topic's epoch in case this publish creates its keys. Drawn for every publish, so
	 * from a cheap source: it need only differ from the topic's earlier seeds, not be secret.
	 */
	private static String newEpoch() {
		return Long.toString(ThreadLocalRandom.current().nextLong() >>> 24, 36);
	}

	@SuppressWarnings("rawtypes")
	private static RedisScript<List> script(String name) {
		try {
			String common = StreamUtils.copyToString(new ClassPathResource("topic.lua", TopicStreams.class).getInputStream(),
					StandardCharsets.UTF_8);
			String body = StreamUtils.copyToString(new ClassPathResource(name, TopicStreams.class).getInputStream(),
					StandardCharsets.UTF_8);
			return RedisScript.of(common + body, List.class);
		}
		catch (IOException ex) {
			throw new IllegalStateException("Cannot load " + name, ex);
		}
	}

	/**
	 * How many replicas must have a message before its publish answers, and for how long to wait
	 * for them.
	 * @param replicas the replicas, 0 to answer as soon as the master has it
	 * @param timeout the longest wait for them, positive
	 */
	record Durability(int replicas, Duration timeout) {

		static final Durability NONE = new Durability(0, Duration.ofSeconds(1));

	}

	/** A message and its position. */
	record Entry(StreamPosition position, Message message) {
	}

	/** What a read found. */
	record Page(List<Entry> entries, boolean recovered, StreamPosition position) {

		List<Message> messages() {
			return this.entries.stream().map(Entry::message).toList();
		}

	}

}
