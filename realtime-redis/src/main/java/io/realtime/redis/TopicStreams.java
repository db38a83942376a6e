package io.realtime.redis;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;

import io.realtime.core.BrokerUnavailableException;
import io.realtime.core.InvalidCursorException;
import io.realtime.core.Message;
import org.jspecify.annotations.Nullable;

import org.springframework.core.io.ClassPathResource;
import org.springframework.dao.DataAccessException;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.core.RedisCallback;
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

	private final StringRedisTemplate redis;

	/** Publishes: many in flight on one connection. */
	private final ScriptPipeline publishes;

	private final long historyTtlMillis;

	private final long keyLifetimeMillis;

	private final String namespace;

	private final String channel;

	/** The publish script's arguments that never change: history size, ttl, key lifetime. */
	private final String historySizeArgument;

	private final String historyTtlArgument;

	private final String keyLifetimeArgument;

	TopicStreams(RedisConnectionFactory connectionFactory, StringRedisTemplate redis, int historySize,
			Duration historyTtl, String namespace) {
		this.redis = redis;
		this.historyTtlMillis = historyTtl.toMillis();
		this.keyLifetimeMillis = keyLifetime(historyTtl).toMillis();
		this.namespace = namespace;
		this.channel = namespace + ":messages";
		this.historySizeArgument = Integer.toString(historySize);
		this.historyTtlArgument = Long.toString(this.historyTtlMillis);
		this.keyLifetimeArgument = Long.toString(this.keyLifetimeMillis);
		this.publishes = new ScriptPipeline(connectionFactory, PUBLISH,
				(keys, args) -> execute(PUBLISH, keys, (Object[]) args));
	}

	/** The pub/sub channel every publish is announced on. */
	String channel() {
		return this.channel;
	}

	/**
	 * Append a message to its topic's stream and announce it, without waiting for Redis.
	 * Appends called one after another reach Redis in that order.
	 */
	CompletableFuture<Message> append(String topic, String data) {
		return this.publishes
			.run(keys(topic), data, this.historySizeArgument, this.historyTtlArgument, this.keyLifetimeArgument,
					newEpoch(), this.channel, topic)
			.thenApply((result) -> {
				String epoch = (String) result.get(0);
				StreamPosition position = requirePosition(epoch, (String) result.get(1));
				return new Message(topic, position.id(), data, position.millis());
			});
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
		if ("ahead".equals(outcome)) {
			throw new InvalidCursorException("'" + after.id() + "' is ahead of topic '" + topic + "'");
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
		return execute(script, keys(topic), (Object[]) args);
	}

	/** A topic's keys: its stream and its state, in one cluster slot. */
	private List<String> keys(String topic) {
		String key = this.namespace + ":{" + topic + "}";
		return List.of(key + ":stream", key + ":state");
	}

	@SuppressWarnings("rawtypes")
	private List<?> execute(RedisScript<List> script, List<String> keys, Object... args) {
		try {
			List<?> result = this.redis.execute(script, keys, args);
			if (result == null) {
				throw new IllegalStateException("Redis script returned nothing");
			}
			return result;
		}
		catch (DataAccessException ex) {
			throw unavailable(ex);
		}
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
	 * An epoch for the topic in case this publish creates its keys. Drawn for every publish, so
	 * from a cheap source: it need only differ from the topic's earlier epochs, not be secret.
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
