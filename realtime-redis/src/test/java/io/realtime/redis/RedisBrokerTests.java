package io.realtime.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import io.realtime.core.HistoryPage;
import io.realtime.core.Message;
import io.realtime.core.RecordingMessageListener;
import io.realtime.core.Subscription;
import io.realtime.core.TopicLimitException;
import io.realtime.redis.test.RedisServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.data.redis.connection.RedisClusterConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.awaitility.Awaitility.await;

/**
 * What only the Redis broker does, beyond the contract: aging history on the Redis clock and
 * telling ids of a topic's earlier Redis lifetime from current ones.
 */
class RedisBrokerTests {

	private final LettuceConnectionFactory connectionFactory = RedisServer.shared().connectionFactory();

	private final List<RedisBroker> brokers = new ArrayList<>();

	private final String topic = "redis:" + UUID.randomUUID();

	@AfterEach
	void close() {
		this.brokers.forEach(RedisBroker::close);
		this.connectionFactory.destroy();
	}

	@Test
	void idsCarryTheTopicEpochAndTheRedisStreamId() {
		RedisBroker broker = broker(10, Duration.ofMinutes(1));
		Message message = broker.publish(this.topic, "1");
		assertThat(message.id()).matches("[0-9a-z]+\\.\\d+-\\d+");
		assertThat(message.id()).endsWith("." + message.timestamp() + "-0");
	}

	@Test
	void subscribingPastTheTopicLimitIsRefusedUntilATopicIsLeft() {
		RedisBroker broker = broker(10, Duration.ofMinutes(1));
		broker.setMaxTopics(2);
		Subscription first = broker.subscribe(this.topic + ":1", null, new RecordingMessageListener());
		Subscription second = broker.subscribe(this.topic + ":2", null, new RecordingMessageListener());
		broker.subscribe(this.topic + ":1", null, new RecordingMessageListener()).cancel();

		assertThatExceptionOfType(TopicLimitException.class)
			.isThrownBy(() -> broker.subscribe(this.topic + ":3", null, new RecordingMessageListener()))
			.withMessage("too many topics (2), try again later");
		assertThat(broker.subscriptionCount()).isEqualTo(2);
		broker.checkRoomFor(List.of(this.topic + ":1", this.topic + ":2"));
		assertThatExceptionOfType(TopicLimitException.class)
			.isThrownBy(() -> broker.checkRoomFor(List.of(this.topic + ":1", this.topic + ":3")));
		// history lives in Redis: publishing to any topic goes on
		broker.publish(this.topic + ":3", "1");

		first.cancel();
		RecordingMessageListener third = new RecordingMessageListener();
		Subscription subscription = broker.subscribe(this.topic + ":3", null, third);
		Message message = broker.publish(this.topic + ":3", "2");
		await().atMost(Duration.ofSeconds(5)).until(() -> third.messages().contains(message));
		assertThat(broker.topicCount()).isEqualTo(2);
		subscription.cancel();
		second.cancel();
	}

	@Test
	void historyOlderThanTtlIsDropped() {
		RedisBroker broker = broker(100, Duration.ofMillis(300));
		String start = broker.read(this.topic, null, 0).position();
		Message first = broker.publish(this.topic, "1");
		await().atMost(Duration.ofSeconds(5))
			.pollInterval(Duration.ofMillis(50))
			.until(() -> !broker.read(this.topic, start, 10).recovered());
		Message second = broker.publish(this.topic, "2");
		HistoryPage fromStart = broker.read(this.topic, start, 10);
		assertThat(fromStart.recovered()).isFalse();
		assertThat(fromStart.messages()).containsExactly(second);
		// whoever already had the expired message missed nothing
		HistoryPage fromFirst = broker.read(this.topic, first.id(), 10);
		assertThat(fromFirst.recovered()).isTrue();
		assertThat(fromFirst.messages()).containsExactly(second);
	}

	@Test
	void publishesAndReadsWithNothingAgedOutDoNotSearchTheStreamBackwards() {
		// Redis 7.0 reads a whole stream for an XREVRANGE with nothing before its end: 80 us per
		// publish with 1,000 entries, when it was run to find what aged out
		try (RedisServer server = RedisServer.start()) {
			LettuceConnectionFactory factory = server.connectionFactory();
			RedisBroker broker = new RedisBroker(factory, 100, Duration.ofMinutes(1));
			try {
				broker.start();
				String start = broker.read(this.topic, null, 0).position();
				server.commands().configResetstat();
				for (int i = 0; i < 150; i++) {
					broker.publish(this.topic, Integer.toString(i));
				}
				assertThat(broker.read(this.topic, start, 10).recovered()).isFalse();
				String stats = server.info("commandstats");
				assertThat(stats).contains("cmdstat_xadd:calls=150,").doesNotContain("cmdstat_xrevrange");
			}
			finally {
				broker.close();
				factory.destroy();
			}
		}
	}

	@Test
	void idsOfALostTopicAreNotRecoveredAndLiveSubscriptionsGoOn() {
		RedisBroker publisher = broker(100, Duration.ofMinutes(1));
		RedisBroker subscriber = broker(100, Duration.ofMinutes(1));
		RecordingMessageListener listener = new RecordingMessageListener();
		Subscription subscription = subscriber.subscribe(this.topic, null, listener);
		Message before = publisher.publish(this.topic, "1");
		await().atMost(Duration.ofSeconds(5)).until(() -> listener.ids().size() == 1);

		// what a Redis restart without persistence, a flush or an expiry does to the topic
		StringRedisTemplate redis = new StringRedisTemplate(this.connectionFactory);
		redis.delete(List.of("realtime:{" + this.topic + "}:stream", "realtime:{" + this.topic + "}:state"));
		Message after = publisher.publish(this.topic, "2");

		assertThat(after.id()).doesNotStartWith(before.id().substring(0, before.id().indexOf('.') + 1));
		HistoryPage resumed = publisher.read(this.topic, before.id(), 10);
		assertThat(resumed.recovered()).isFalse();
		assertThat(resumed.messages()).containsExactly(after);
		// the live subscriber is told it may have missed something, then goes on
		await().atMost(Duration.ofSeconds(5))
			.untilAsserted(() -> assertThat(listener.events()).containsExactly(true, before, false, after));
		subscription.cancel();
	}

	@Test
	void minReplicasIsRefusedOnRedisCluster() {
		LettuceConnectionFactory cluster = new LettuceConnectionFactory(
				new RedisClusterConfiguration(List.of("127.0.0.1:" + RedisServer.shared().port())));
		RedisBroker broker = new RedisBroker(cluster, 10, Duration.ofMinutes(1));
		broker.setMinReplicas(1);
		assertThatIllegalStateException().isThrownBy(broker::start)
			.withMessage("minReplicas is not supported on Redis Cluster yet");
	}

	private RedisBroker broker(int historySize, Duration historyTtl) {
		RedisBroker broker = new RedisBroker(this.connectionFactory, historySize, historyTtl);
		broker.start();
		this.brokers.add(broker);
		return broker;
	}

}
