package io.realtime.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import io.realtime.core.HistoryPage;
import io.realtime.core.Message;
import io.realtime.core.RecordingMessageListener;
import io.realtime.core.Subscription;
import io.realtime.redis.test.RedisServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What keeps Redis memory bounded whatever clients do: reads and subscriptions of topics nobody
 * published to create no key, a topic's keys expire once it is idle, and resumes stay honest
 * across both. On a Redis server of its own, so its key count is this class's alone.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RedisBrokerMemoryTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	private RedisServer server;

	private LettuceConnectionFactory connectionFactory;

	private StringRedisTemplate redis;

	private final List<RedisBroker> brokers = new ArrayList<>();

	/** A topic no other test uses. */
	private String topic = "";

	@BeforeAll
	void startRedis() {
		this.server = RedisServer.start();
		this.connectionFactory = this.server.connectionFactory();
		this.redis = new StringRedisTemplate(this.connectionFactory);
	}

	@AfterAll
	void stopRedis() {
		this.connectionFactory.destroy();
		this.server.close();
	}

	@BeforeEach
	void createTopic() {
		this.topic = "memory:" + UUID.randomUUID();
	}

	@AfterEach
	void closeBrokers() {
		this.brokers.forEach(RedisBroker::close);
		this.brokers.clear();
	}

	@Test
	void readingAndSubscribingToTopicsNobodyPublishedToCreatesNoKey() {
		RedisBroker broker = broker(Duration.ofMinutes(1));
		this.redis.execute((RedisCallback<?>) (connection) -> {
			connection.serverCommands().flushDb();
			return null;
		});
		for (int i = 0; i < 10_000; i++) {
			String invented = "invented-" + i;
			String position = broker.read(invented, null, 10).position();
			HistoryPage again = broker.read(invented, position, 10);
			assertThat(again.recovered()).isTrue();
			assertThat(again.messages()).isEmpty();
			RecordingMessageListener listener = new RecordingMessageListener();
			Subscription subscription = broker.subscribe(invented, (i % 2 == 0) ? null : position, listener);
			assertThat(subscription.recovered()).isTrue();
			subscription.cancel();
		}
		assertThat(broker.topicCount()).isZero();
		assertThat(broker.subscriptionCount()).isZero();
		assertThat(dbSize()).isZero();
	}

	@Test
	void positionOfAnEmptyTopicResumesEveryMessagePublishedSince() {
		RedisBroker broker = broker(Duration.ofMinutes(1));
		String position = broker.read(this.topic, null, 10).position();
		Message first = broker.publish(this.topic, "1");
		Message second = broker.publish(this.topic, "2");

		HistoryPage page = broker.read(this.topic, position, 10);
		assertThat(page.recovered()).isTrue();
		assertThat(page.messages()).containsExactly(first, second);

		RecordingMessageListener listener = new RecordingMessageListener();
		Subscription subscription = broker.subscribe(this.topic, position, listener);
		assertThat(subscription.recovered()).isTrue();
		Message third = broker.publish(this.topic, "3");
		await().atMost(WAIT).untilAsserted(() -> assertThat(listener.messages()).containsExactly(first, second, third));
		subscription.cancel();
	}

	@Test
	void subscriptionOfAnEmptyTopicReceivesItsFirstMessagesFromAnotherInstance() {
		RedisBroker subscriber = broker(Duration.ofMinutes(1));
		RedisBroker publisher = broker(Duration.ofMinutes(1));
		RecordingMessageListener listener = new RecordingMessageListener();
		Subscription subscription = subscriber.subscribe(this.topic, null, listener);
		assertThat(keysOf(this.topic)).isZero();
		List<Message> published = List.of(publisher.publish(this.topic, "1"), publisher.publish(this.topic, "2"));
		await().atMost(WAIT).untilAsserted(() -> assertThat(listener.messages()).containsExactlyElementsOf(published));
		subscription.cancel();
	}

	@Test
	void positionTakenBeforeTheTopicsKeysWereDeletedIsResetAndRecreatesNothing() {
		RedisBroker broker = broker(Duration.ofMinutes(1));
		Message message = broker.publish(this.topic, "1");
		this.redis.delete(List.of(streamKey(this.topic), stateKey(this.topic)));

		HistoryPage page = broker.read(this.topic, message.id(), 10);
		assertThat(page.recovered()).isFalse();
		assertThat(page.messages()).isEmpty();
		Subscription subscription = broker.subscribe(this.topic, message.id(), new RecordingMessageListener());
		assertThat(subscription.recovered()).isFalse();
		subscription.cancel();
		assertThat(keysOf(this.topic)).isZero();
		// the position handed out instead resumes gap-free
		Message next = broker.publish(this.topic, "2");
		HistoryPage resumed = broker.read(this.topic, page.position(), 10);
		assertThat(resumed.recovered()).isTrue();
		assertThat(resumed.messages()).containsExactly(next);
	}

	@Test
	void positionOfAnEmptyTopicWhoseKeysExpiredSinceIsReset() {
		RedisBroker broker = broker(Duration.ofMillis(200));
		RecordingMessageListener listener = new RecordingMessageListener();
		Subscription subscription = broker.subscribe(this.topic, null, listener);
		String position = broker.read(this.topic, null, 10).position();
		Message lost = broker.publish(this.topic, "1");
		await().atMost(WAIT).until(() -> keysOf(this.topic) == 0);

		HistoryPage page = broker.read(this.topic, position, 10);
		assertThat(page.recovered()).isFalse();
		assertThat(broker.read(this.topic, page.position(), 10).recovered()).isTrue();
		Message later = broker.publish(this.topic, "2");
		HistoryPage afterRecreation = broker.read(this.topic, position, 10);
		assertThat(afterRecreation.recovered()).isFalse();
		assertThat(afterRecreation.messages()).containsExactly(later);
		// a live subscription goes on across the topic's keys expiring
		await().atMost(WAIT).untilAsserted(() -> assertThat(listener.messages()).containsExactly(lost, later));
		subscription.cancel();
	}

	@Test
	void positionOfAnEmptyTopicFromBeforeARedisRestartIsReset() {
		RedisBroker broker = broker(Duration.ofMinutes(1));
		String position = broker.read(this.topic, null, 10).position();

		// whatever was published after the position went with the restart; nothing can show it
		this.server.kill();
		this.server.restart();
		Message message = await().atMost(WAIT)
			.ignoreExceptions()
			.until(() -> broker.publish(this.topic, "1"), Objects::nonNull);

		HistoryPage page = broker.read(this.topic, position, 10);
		assertThat(page.recovered()).isFalse();
		assertThat(page.messages()).containsExactly(message);
	}

	@Test
	void idleTopicKeysExpireAfterHistoryAndAMarginAndReadsDoNotKeepThem() {
		Duration ttl = Duration.ofMinutes(5);
		RedisBroker broker = broker(ttl);
		broker.publish(this.topic, "1");
		long lifetime = TopicStreams.keyLifetime(ttl).toMillis();
		assertThat(lifetime).isEqualTo(ttl.plusMinutes(1).toMillis());
		for (String key : List.of(streamKey(this.topic), stateKey(this.topic))) {
			assertThat(this.redis.getExpire(key, TimeUnit.MILLISECONDS)).as(key)
				.isGreaterThan(ttl.toMillis())
				.isLessThanOrEqualTo(lifetime);
		}

		this.redis.expire(stateKey(this.topic), Duration.ofSeconds(30));
		broker.read(this.topic, null, 10);
		broker.subscribe(this.topic, null, new RecordingMessageListener()).cancel();
		assertThat(this.redis.getExpire(stateKey(this.topic), TimeUnit.MILLISECONDS)).isLessThanOrEqualTo(30_000);
	}

	private RedisBroker broker(Duration historyTtl) {
		RedisBroker broker = new RedisBroker(this.connectionFactory, 100, historyTtl);
		broker.start();
		this.brokers.add(broker);
		return broker;
	}

	private long dbSize() {
		Long size = this.redis.execute((RedisCallback<Long>) (connection) -> connection.serverCommands().dbSize());
		return Objects.requireNonNull(size);
	}

	private long keysOf(String topic) {
		Long count = this.redis.countExistingKeys(List.of(streamKey(topic), stateKey(topic)));
		return Objects.requireNonNull(count);
	}

	private static String streamKey(String topic) {
		return "realtime:{" + topic + "}:stream";
	}

	private static String stateKey(String topic) {
		return "realtime:{" + topic + "}:state";
	}

}
