package io.realtime.redis;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.realtime.core.AbstractPresenceContractTests;
import io.realtime.core.Presence;
import io.realtime.core.PresenceMember;
import io.realtime.redis.test.RedisServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The presence contract on a real Redis, and what only a shared presence does: members of one
 * instance are seen by another, and the members of an instance that stops without a goodbye
 * leave, with news, within three heartbeats.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RedisPresenceTests extends AbstractPresenceContractTests {

	private static final Duration HEARTBEAT = Duration.ofMillis(300);

	private LettuceConnectionFactory connectionFactory;

	private final List<RedisPresence> started = new CopyOnWriteArrayList<>();

	@BeforeAll
	void connectPresences() {
		this.connectionFactory = connect();
	}

	/** The Redis of the test: a standalone one here. */
	LettuceConnectionFactory connect() {
		return RedisServer.shared().connectionFactory();
	}

	@AfterAll
	void disconnect() {
		this.connectionFactory.destroy();
	}

	@AfterEach
	void stop() {
		this.started.forEach(RedisPresence::close);
		this.started.clear();
	}

	@Override
	protected Presence createPresence(int maxMembers) {
		RedisPresence presence = new RedisPresence(this.connectionFactory, maxMembers);
		presence.setHeartbeat(HEARTBEAT);
		presence.start();
		this.started.add(presence);
		return presence;
	}

	@Test
	void instancesShareMembersAndNews() {
		Presence one = createPresence(10);
		Presence other = createPresence(10);
		Recorder recorder = listen(other, this.topic);
		Presence.Registration here = one.join(this.topic, new PresenceMember("c1", "ada", null));

		assertThat(other.members(this.topic)).extracting(PresenceMember::id).containsExactly("c1");
		here.close();
		await().atMost(WAIT)
			.untilAsserted(() -> assertThat(recorder.events).containsExactly("join c1 ada", "leave c1 ada"));
	}

	@Test
	void membersOfAnInstanceThatStoppedWithoutAGoodbyeLeaveWithinThreeHeartbeats() {
		RedisPresence killed = (RedisPresence) createPresence(10);
		Presence survivor = createPresence(10);
		Recorder recorder = listen(survivor, this.topic);
		killed.join(this.topic, new PresenceMember("c1", "ada", null));
		// renewed meanwhile: it stays while its instance lives
		await().atMost(WAIT).until(() -> recorder.events.size() == 1);
		await().during(HEARTBEAT.multipliedBy(4)).atMost(HEARTBEAT.multipliedBy(6))
			.until(() -> survivor.members(this.topic).size() == 1);

		killed.halt();
		long stopped = System.nanoTime();

		await().atMost(WAIT).until(() -> recorder.events.size() == 2);
		assertThat(Duration.ofNanos(System.nanoTime() - stopped)).isLessThan(HEARTBEAT.multipliedBy(3).plusMillis(200));
		assertThat(recorder.events).containsExactly("join c1 ada", "leave c1 ada");
		assertThat(survivor.members(this.topic)).isEmpty();
	}

	@Test
	void aMemberLostToAnOutageJoinsAgainAtTheNextHeartbeat() {
		Presence presence = createPresence(10);
		Recorder recorder = listen(presence, this.topic);
		presence.join(this.topic, new PresenceMember("c1", null, null));
		await().atMost(WAIT).until(() -> recorder.events.size() == 1);
		// what an outage longer than the renewal's ttl leaves behind
		new StringRedisTemplate(this.connectionFactory).delete(List.of("realtime:{" + this.topic + "}:presence",
				"realtime:{" + this.topic + "}:presence-deadlines"));

		await().atMost(WAIT).until(() -> presence.members(this.topic).size() == 1);
		assertThat(recorder.events).containsExactly("join c1 null", "join c1 null");
	}

	@Test
	void membersRoundTripThroughTheirEncoding() {
		PresenceMember odd = new PresenceMember("c1", "=a\nb", "{\"a\":\"\\n\"}");
		assertThat(RedisPresence.decode(RedisPresence.encode(odd))).isEqualTo(odd);
		PresenceMember bare = new PresenceMember("c2", "", null);
		assertThat(RedisPresence.decode(RedisPresence.encode(bare))).isEqualTo(bare);
	}

}
