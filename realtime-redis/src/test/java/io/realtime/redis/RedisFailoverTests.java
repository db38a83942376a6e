package io.realtime.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.ClientOptions.DisconnectedBehavior;
import io.lettuce.core.KillArgs;
import io.realtime.core.BrokerUnavailableException;
import io.realtime.core.HistoryPage;
import io.realtime.core.Message;
import io.realtime.core.RecordingMessageListener;
import io.realtime.redis.test.RedisServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.data.redis.connection.RedisSentinelConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * A failover to a replica that lagged behind its master: what the master acknowledged and the
 * replica never got is gone, and nobody resumes over the hole without being told. With
 * {@code minReplicas}, nothing acknowledged is gone.
 */
class RedisFailoverTests {

	private static final List<String> TOPICS = List.of("failover:a", "failover:b", "failover:c");

	/** A topic that has no keys before the replica falls behind. */
	private static final String QUIET = "failover:quiet";

	private final List<AutoCloseable> resources = new ArrayList<>();

	@AfterEach
	void close() throws Exception {
		Collections.reverse(this.resources);
		for (AutoCloseable resource : this.resources) {
			resource.close();
		}
	}

	@Test
	void positionsFromBeforeAFailoverAreResetAndNoIdIsIssuedTwice() {
		RedisServer master = server(RedisServer.start());
		RedisServer replica = server(master.startReplica());
		RedisBroker old = broker(master, 0);
		Set<String> acknowledged = new HashSet<>();
		Map<String, List<Message>> synced = publish(old, TOPICS, "synced", 5, acknowledged);
		String quietStart = old.read(QUIET, null, 0).position();
		awaitInSync(master, replica);
		// a subscriber on the replica's instance: its connections live through the promotion
		RedisBroker survivor = broker(replica, 0);
		RecordingMessageListener live = new RecordingMessageListener();
		survivor.subscribe(TOPICS.get(0), last(synced, TOPICS.get(0)).id(), live);

		// the replica falls behind (cut off, as by a partition) while the master acknowledges more
		replica.pause();
		master.commands().clientKill(KillArgs.Builder.typeSlave());
		Map<String, List<Message>> lost = publish(old, TOPICS, "lost", 3, acknowledged);
		lost.putAll(publish(old, List.of(QUIET), "lost", 1, acknowledged));

		master.kill();
		long killed = System.nanoTime();
		replica.resume();
		replica.commands().replicaofNoOne();
		RedisBroker promoted = broker(replica, 0);
		Message first = await().atMost(Duration.ofSeconds(10))
			.pollInterval(Duration.ofMillis(10))
			.ignoreException(BrokerUnavailableException.class)
			.until(() -> promoted.publish(TOPICS.get(0), "new 0"), (message) -> true);
		System.out.printf("first publish accepted %d ms after the master was killed (promotion by hand)%n",
				(System.nanoTime() - killed) / 1_000_000);

		for (String topic : TOPICS) {
			// a cursor, since or Last-Event-ID from before the replica fell behind: reset, and
			// history from the oldest entry the promoted replica holds, what the subscriber had included
			HistoryPage fromSynced = promoted.read(topic, last(synced, topic).id(), 100);
			assertThat(fromSynced.recovered()).isFalse();
			assertThat(data(fromSynced.messages())).startsWith(data(synced.get(topic)).toArray(String[]::new))
				.doesNotContainAnyElementsOf(data(lost.get(topic)));
			// a position past anything the promoted replica has is a reset, not a client error
			HistoryPage fromLost = promoted.read(topic, last(lost, topic).id(), 100);
			assertThat(fromLost.recovered()).isFalse();
			assertThat(data(fromLost.messages())).containsAll(data(synced.get(topic)));
			RecordingMessageListener resumed = new RecordingMessageListener();
			promoted.subscribe(topic, last(lost, topic).id(), resumed).cancel();
			assertThat(resumed.recovered()).isFalse();
		}
		HistoryPage quiet = promoted.read(QUIET, quietStart, 100);
		assertThat(quiet.recovered()).isFalse();
		assertThat(promoted.read(QUIET, last(lost, QUIET).id(), 100).recovered()).isFalse();

		// new messages get ids no client has seen for another message
		Set<String> issued = new HashSet<>();
		issued.add(first.id());
		Map<String, List<Message>> fresh = publish(promoted, TOPICS, "new", 5, issued);
		fresh.putAll(publish(promoted, List.of(QUIET), "new", 3, issued));
		assertThat(issued).doesNotContainAnyElementsOf(acknowledged);
		for (String topic : TOPICS) {
			HistoryPage resumed = promoted.read(topic, last(fresh, topic).id(), 100);
			assertThat(resumed.recovered()).isTrue();
			assertThat(resumed.messages()).isEmpty();
		}

		// the live subscriber is told, then gets history again from its oldest entry: no silent gap
		List<String> expected = new ArrayList<>(data(synced.get(TOPICS.get(0))));
		expected.add("new 0");
		expected.addAll(data(fresh.get(TOPICS.get(0))));
		await().atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> assertThat(afterLastReset(live.events())).containsExactlyElementsOf(expected));
		assertThat(live.events().get(0)).isEqualTo(true);
	}

	@Test
	void withMinReplicasAcknowledgedMessagesSurviveAndPublishesFailWithoutTheReplica() {
		RedisServer master = server(RedisServer.start());
		RedisServer replica = server(master.startReplica());
		RedisBroker old = broker(master, 1);
		old.setReplicaTimeout(Duration.ofMillis(300));
		Set<String> acknowledged = new HashSet<>();
		Map<String, List<Message>> durable = publish(old, TOPICS, "durable", 5, acknowledged);

		replica.pause();
		long start = System.nanoTime();
		assertThatExceptionOfType(BrokerUnavailableException.class)
			.isThrownBy(() -> old.publish(TOPICS.get(0), "refused"))
			.withMessageContaining("0 of 1 replicas");
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));

		master.kill();
		replica.resume();
		replica.commands().replicaofNoOne();
		RedisBroker promoted = broker(replica, 0);
		for (String topic : TOPICS) {
			// every acknowledged message is there; the epoch is new all the same, so resumes are
			// told to reset and get the whole history again
			HistoryPage page = promoted.read(topic, last(durable, topic).id(), 100);
			assertThat(page.recovered()).isFalse();
			assertThat(data(page.messages())).containsSubsequence(data(durable.get(topic)));
		}
		Set<String> issued = new HashSet<>();
		publish(promoted, TOPICS, "new", 3, issued);
		assertThat(issued).doesNotContainAnyElementsOf(acknowledged);
	}

	@Test
	void aBrokerBehindSentinelFollowsTheFailoverAndTellsItsLiveSubscribers() {
		RedisServer master = server(RedisServer.start());
		RedisServer replica = server(master.startReplica());
		RedisServer sentinel = server(master.startSentinel("realtime", Duration.ofMillis(500)));
		RedisBroker broker = broker(sentinelConnections(sentinel, "realtime"), 0);
		String topic = TOPICS.get(0);
		RecordingMessageListener live = new RecordingMessageListener();
		broker.subscribe(topic, null, live);
		Set<String> acknowledged = new HashSet<>();
		List<Message> synced = publish(broker, List.of(topic), "synced", 5, acknowledged).get(topic);
		awaitInSync(master, replica);

		replica.pause();
		master.commands().clientKill(KillArgs.Builder.typeSlave());
		List<Message> lost = publish(broker, List.of(topic), "lost", 3, acknowledged).get(topic);
		List<Message> delivered = new ArrayList<>(synced);
		delivered.addAll(lost);
		await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(live.messages()).isEqualTo(delivered));
		master.kill();
		long killed = System.nanoTime();
		replica.resume();

		// refused until Sentinel has promoted the replica and the client has found it
		Message first = await().atMost(Duration.ofSeconds(30))
			.pollInterval(Duration.ofMillis(10))
			.ignoreException(BrokerUnavailableException.class)
			.until(() -> broker.publish(topic, "new 0"), (message) -> true);
		System.out.printf("behind Sentinel (down-after 500 ms), first publish accepted %d ms after the master was killed%n",
				(System.nanoTime() - killed) / 1_000_000);
		Set<String> issued = new HashSet<>();
		issued.add(first.id());
		List<Message> fresh = publish(broker, List.of(topic), "new", 3, issued).get(topic);
		assertThat(issued).doesNotContainAnyElementsOf(acknowledged);

		// the live subscriber got everything once, then was told, then history again and the new ones
		List<String> expected = new ArrayList<>(data(synced));
		expected.add("new 0");
		expected.addAll(data(fresh));
		await().atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> assertThat(afterLastReset(live.events())).containsExactlyElementsOf(expected));
		List<Object> events = live.events();
		assertThat(events.subList(0, events.indexOf(false))).containsExactlyElementsOf(prepend(true, delivered));
		assertThat(events).filteredOn(Boolean.class::isInstance).containsExactly(true, false);
	}

	private LettuceConnectionFactory sentinelConnections(RedisServer sentinel, String master) {
		RedisSentinelConfiguration configuration = new RedisSentinelConfiguration().master(master)
			.sentinel("127.0.0.1", sentinel.port());
		// as the auto-configuration sets it: refuse at once while disconnected
		LettuceClientConfiguration client = LettuceClientConfiguration.builder()
			.clientOptions(ClientOptions.builder().disconnectedBehavior(DisconnectedBehavior.REJECT_COMMANDS).build())
			.commandTimeout(Duration.ofSeconds(5))
			.build();
		LettuceConnectionFactory connectionFactory = new LettuceConnectionFactory(configuration, client);
		connectionFactory.afterPropertiesSet();
		connectionFactory.start();
		return connectionFactory;
	}

	private static List<Object> prepend(Object first, List<?> rest) {
		List<Object> list = new ArrayList<>();
		list.add(first);
		list.addAll(rest);
		return list;
	}

	private RedisServer server(RedisServer server) {
		this.resources.add(server);
		return server;
	}

	private RedisBroker broker(RedisServer server, int minReplicas) {
		return broker(server.connectionFactory(), minReplicas);
	}

	private RedisBroker broker(LettuceConnectionFactory connectionFactory, int minReplicas) {
		this.resources.add(connectionFactory::destroy);
		RedisBroker broker = new RedisBroker(connectionFactory, 100, Duration.ofMinutes(1));
		broker.setMinReplicas(minReplicas);
		broker.start();
		this.resources.add(broker);
		return broker;
	}

	private static Map<String, List<Message>> publish(RedisBroker broker, List<String> topics, String prefix, int count,
			Set<String> ids) {
		Map<String, List<Message>> published = new LinkedHashMap<>();
		for (int i = 0; i < count; i++) {
			for (String topic : topics) {
				Message message = broker.publish(topic, prefix + " " + i);
				ids.add(message.id());
				published.computeIfAbsent(topic, (key) -> new ArrayList<>()).add(message);
			}
		}
		return published;
	}

	private static Message last(Map<String, List<Message>> published, String topic) {
		List<Message> messages = published.get(topic);
		return messages.get(messages.size() - 1);
	}

	private static List<String> data(List<Message> messages) {
		return messages.stream().map(Message::data).toList();
	}

	/** The data of the messages after the last reset a listener was told of. */
	private static List<String> afterLastReset(List<Object> events) {
		int reset = events.lastIndexOf(false);
		assertThat(reset).as("a reset").isGreaterThan(0);
		return data(events.subList(reset + 1, events.size())
			.stream()
			.filter(Message.class::isInstance)
			.map(Message.class::cast)
			.toList());
	}

	private static void awaitInSync(RedisServer master, RedisServer replica) {
		long offset = offset(master.info("replication"), "master_repl_offset");
		await().atMost(Duration.ofSeconds(10))
			.pollInterval(Duration.ofMillis(10))
			.until(() -> offset(replica.info("replication"), "slave_repl_offset") >= offset);
	}

	private static long offset(String info, String field) {
		Matcher matcher = Pattern.compile(field + ":(\\d+)").matcher(info);
		assertThat(matcher.find()).as(field).isTrue();
		return Long.parseLong(matcher.group(1));
	}

}
