package io.realtime.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.realtime.core.Message;
import io.realtime.core.RecordingMessageListener;
import io.realtime.core.Subscription;
import io.realtime.redis.test.RedisCluster;
import io.realtime.redis.test.RedisSentinel;
import io.realtime.redis.test.RedisServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An instance hears only the topics it has local subscribers on: it listens to a topic's
 * channel from its first subscriber to its last, and an instance without subscribers receives
 * nothing while others publish. On a standalone Redis and one found through Sentinel (classic
 * pub/sub), and on a Redis Cluster (sharded pub/sub).
 */
class RedisBrokerFanoutTests {

	private static final Duration WAIT = Duration.ofSeconds(20);

	@Nested
	class OnStandalone extends Fanout {

		@Override
		LettuceConnectionFactory connect() {
			return RedisServer.shared().connectionFactory();
		}

		@Test
		void notificationsAreClassic() {
			assertThat(broker().isSharded()).isFalse();
		}

	}

	@Nested
	class OnCluster extends Fanout {

		@Override
		LettuceConnectionFactory connect() {
			return RedisCluster.shared().connectionFactory();
		}

		@Test
		void notificationsAreSharded() {
			assertThat(broker().isSharded()).isTrue();
		}

	}

	/** Finding the master through Sentinel: classic channels too. */
	@Nested
	class OnSentinel extends Fanout {

		private RedisSentinel sentinel;

		@Override
		LettuceConnectionFactory connect() {
			this.sentinel = RedisSentinel.start();
			return this.sentinel.connectionFactory();
		}

		@AfterAll
		void stopSentinel() {
			this.sentinel.close();
		}

		@Test
		void notificationsAreClassic() {
			assertThat(broker().isSharded()).isFalse();
		}

	}

	/** On a cluster of its own, since its tests kill a master and move slots. */
	@Nested
	@TestInstance(TestInstance.Lifecycle.PER_CLASS)
	class OnAChangingCluster {

		private RedisCluster cluster;

		private LettuceConnectionFactory connectionFactory;

		private final List<RedisBroker> brokers = new ArrayList<>();

		@BeforeAll
		void start() {
			this.cluster = RedisCluster.start();
			this.connectionFactory = this.cluster.connectionFactory();
		}

		@AfterAll
		void stop() {
			this.brokers.forEach(RedisBroker::close);
			this.connectionFactory.destroy();
			this.cluster.close();
		}

		@Test
		void subscriptionFollowsItsTopicToTheReplicaPromotedWhenTheMasterDies() {
			String topic = "failover:" + UUID.randomUUID();
			RedisBroker subscriber = broker();
			RedisBroker publisher = broker();
			RecordingMessageListener listener = new RecordingMessageListener();
			Subscription subscription = subscriber.subscribe(topic, null, listener);
			await().atMost(WAIT).until(() -> subscriber.isListeningTo(topic));
			List<Message> published = new ArrayList<>();
			published.add(publisher.publish(topic, "before"));
			await().atMost(WAIT).until(() -> subscriber.notificationCount() == 1);

			this.cluster.kill(ownerPort(subscriber.streams().channel(topic)));
			// publishes are refused until the replica is promoted; then the subscription moves to it
			await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> {
				published.add(publisher.publish(topic, Integer.toString(published.size())));
				return subscriber.notificationCount() > 1;
			});

			// the topic's new master has another lineage: the subscriber is reset, then gets the
			// history that master holds and every later message, once each
			await().atMost(WAIT).untilAsserted(() -> assertThat(sinceLastReset(listener))
				.endsWith(published.subList(1, published.size()).toArray(Message[]::new))
				.doesNotHaveDuplicates());
			subscription.cancel();
		}

		@Test
		void subscriptionFollowsItsTopicWhenItsSlotMovesToAnotherMaster() {
			String topic = "migration:" + UUID.randomUUID();
			RedisBroker subscriber = broker();
			RedisBroker publisher = broker();
			RecordingMessageListener listener = new RecordingMessageListener();
			Subscription subscription = subscriber.subscribe(topic, null, listener);
			await().atMost(WAIT).until(() -> subscriber.isListeningTo(topic));
			List<Message> published = new ArrayList<>();
			published.add(publisher.publish(topic, "before"));
			await().atMost(WAIT).until(() -> subscriber.notificationCount() == 1);

			String channel = subscriber.streams().channel(topic);
			int from = ownerPort(channel);
			int to = this.cluster.masters().stream().filter((port) -> port != from).findFirst().orElseThrow();
			this.cluster.migrate(SlotHash.getSlot(channel), to);
			await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> {
				published.add(publisher.publish(topic, Integer.toString(published.size())));
				return subscriber.notificationCount() > 1;
			});

			// the topic's new master has another lineage: the subscriber is reset, then gets the
			// history that master holds and every later message, once each
			await().atMost(WAIT).untilAsserted(() -> assertThat(sinceLastReset(listener))
				.endsWith(published.subList(1, published.size()).toArray(Message[]::new))
				.doesNotHaveDuplicates());
			subscription.cancel();
		}

		private static List<Message> sinceLastReset(RecordingMessageListener listener) {
			List<Object> events = listener.events();
			int from = 0;
			for (int i = 1; i < events.size(); i++) {
				if (Boolean.FALSE.equals(events.get(i))) {
					from = i + 1;
				}
			}
			return events.subList(from, events.size())
				.stream()
				.filter(Message.class::isInstance)
				.map(Message.class::cast)
				.toList();
		}

		private int ownerPort(String channel) {
			RedisClusterClient client = (RedisClusterClient) this.connectionFactory.getRequiredNativeClient();
			return client.getPartitions().getMasterBySlot(SlotHash.getSlot(channel)).getUri().getPort();
		}

		private RedisBroker broker() {
			RedisBroker broker = new RedisBroker(this.connectionFactory, 1000, Duration.ofMinutes(5));
			broker.start();
			this.brokers.add(broker);
			return broker;
		}

	}

	@TestInstance(TestInstance.Lifecycle.PER_CLASS)
	abstract static class Fanout {

		private LettuceConnectionFactory connectionFactory;

		private final List<RedisBroker> brokers = new ArrayList<>();

		private final String topic = "fanout:" + UUID.randomUUID();

		private final String other = "fanout-other:" + UUID.randomUUID();

		abstract LettuceConnectionFactory connect();

		@BeforeAll
		void start() {
			this.connectionFactory = connect();
		}

		@AfterEach
		void closeBrokers() {
			this.brokers.forEach(RedisBroker::close);
			this.brokers.clear();
		}

		@AfterAll
		void stop() {
			this.connectionFactory.destroy();
		}

		@Test
		void onlyInstancesWithSubscribersOnATopicReceiveItsNotifications() {
			RedisBroker subscribed = broker();
			RedisBroker idle = broker();
			RecordingMessageListener listener = new RecordingMessageListener();
			Subscription subscription = subscribed.subscribe(this.topic, null, listener);
			await().atMost(WAIT).until(() -> subscribed.isListeningTo(this.topic));

			int count = 200;
			List<Message> published = new ArrayList<>();
			for (int i = 0; i < count; i++) {
				// from both instances, on the subscribed topic and on another one
				RedisBroker publisher = (i % 2 == 0) ? idle : subscribed;
				published.add(publisher.publish(this.topic, Integer.toString(i)));
				publisher.publish(this.other, Integer.toString(i));
			}

			await().atMost(WAIT).untilAsserted(() -> assertThat(listener.messages()).containsExactlyElementsOf(published));
			await().atMost(WAIT).until(() -> subscribed.notificationCount() == count);
			// one more on each topic: had the idle instance heard anything, it would have by now
			Message last = idle.publish(this.topic, "last");
			idle.publish(this.other, "last");
			await().atMost(WAIT).until(() -> listener.messages().contains(last));
			assertThat(idle.notificationCount()).isZero();
			assertThat(idle.isListeningTo(this.topic)).isFalse();
			assertThat(subscribed.isListeningTo(this.other)).isFalse();
			assertThat(subscribed.notificationCount()).isEqualTo(count + 1);
			subscription.cancel();
		}

		@Test
		void instanceStopsListeningWhenTheLastLocalSubscriberLeaves() {
			RedisBroker subscriber = broker();
			RedisBroker publisher = broker();
			Subscription first = subscriber.subscribe(this.topic, null, new RecordingMessageListener());
			Subscription second = subscriber.subscribe(this.topic, null, new RecordingMessageListener());
			await().atMost(WAIT).until(() -> subscriber.isListeningTo(this.topic));
			String channel = subscriber.streams().channel(this.topic);
			assertThat(subscribers(channel)).isOne();
			first.cancel();
			assertThat(subscriber.isListeningTo(this.topic)).isTrue();
			second.cancel();
			assertThat(subscriber.isListeningTo(this.topic)).isFalse();
			assertThat(subscriber.topicCount()).isZero();
			await().atMost(WAIT).until(() -> subscribers(channel) == 0);
			long before = subscriber.notificationCount();
			for (int i = 0; i < 50; i++) {
				publisher.publish(this.topic, Integer.toString(i));
			}

			// listening again: only what is published from now on arrives as notifications
			RecordingMessageListener again = new RecordingMessageListener();
			Subscription third = subscriber.subscribe(this.topic, null, again);
			await().atMost(WAIT).until(() -> subscriber.isListeningTo(this.topic));
			Message next = publisher.publish(this.topic, "next");
			await().atMost(WAIT).untilAsserted(() -> assertThat(again.messages()).containsExactly(next));
			assertThat(subscriber.notificationCount() - before).isOne();
			third.cancel();
		}

		@Test
		void messagesPublishedBeforeTheSubscriptionTookEffectAreReadFromTheStream() {
			RedisBroker subscriber = broker();
			RedisBroker publisher = broker();
			String start = publisher.read(this.topic, null, 0).position();
			List<Message> published = new ArrayList<>();
			for (int i = 0; i < 20; i++) {
				published.add(publisher.publish(this.topic, Integer.toString(i)));
			}
			RecordingMessageListener listener = new RecordingMessageListener();
			Subscription subscription = subscriber.subscribe(this.topic, start, listener);
			// published while the subscription is on its way to Redis, and after
			for (int i = 20; i < 40; i++) {
				published.add(publisher.publish(this.topic, Integer.toString(i)));
			}
			await().atMost(WAIT).untilAsserted(() -> assertThat(listener.messages()).containsExactlyElementsOf(published));
			subscription.cancel();
		}

		/** How many connections Redis has subscribed to a channel. */
		long subscribers(String channel) {
			AbstractRedisClient client = this.connectionFactory.getRequiredNativeClient();
			if (client instanceof RedisClusterClient cluster) {
				try (StatefulRedisClusterConnection<String, String> connection = cluster.connect()) {
					RedisClusterNode owner = connection.getPartitions().getMasterBySlot(SlotHash.getSlot(channel));
					return connection.getConnection(owner.getNodeId()).sync().pubsubShardNumsub(channel).get(channel);
				}
			}
			try (StatefulRedisConnection<String, String> connection = ((RedisClient) client).connect()) {
				return connection.sync().pubsubNumsub(channel).get(channel);
			}
		}

		RedisBroker broker() {
			RedisBroker broker = new RedisBroker(this.connectionFactory, 1000, Duration.ofMinutes(1));
			broker.start();
			this.brokers.add(broker);
			return broker;
		}

	}

}
