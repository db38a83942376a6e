package io.realtime.autoconfigure.redis;

import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import io.realtime.redis.RedisPresence;
import io.realtime.redis.test.RedisServer;
import io.realtime.test.RealtimeHttpClient;
import io.realtime.test.SseStream;
import io.realtime.test.WebSocketTestClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Presence across application instances on one Redis: a member on one instance is seen, with its
 * join and leave, by subscribers of the others, and the members of an instance that stops
 * renewing them without a goodbye (as a killed one) leave within three heartbeats.
 */
@Tag("redis")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TwoInstancesPresenceIntegrationTests {

	private static final Duration WAIT = Duration.ofSeconds(20);

	private static final Duration HEARTBEAT = Duration.ofMillis(500);

	private static final String[] PROPERTIES = { "spring.data.redis.host=127.0.0.1",
			"spring.data.redis.port=" + RedisServer.shared().port(), "realtime.presence.topics=room/**",
			"realtime.presence.heartbeat=" + HEARTBEAT.toMillis() + "ms", "realtime.sse.heartbeat=500ms" };

	private AppInstance a;

	private AppInstance b;

	private final String topic = "room/" + UUID.randomUUID();

	@BeforeAll
	void start() {
		this.a = AppInstance.start(PROPERTIES);
		this.b = AppInstance.start(PROPERTIES);
	}

	@AfterAll
	void stop() {
		this.a.close();
		this.b.close();
	}

	@Test
	void aMemberOnOneInstanceIsSeenOnTheOther() {
		String topic = this.topic + "/shared";
		try (WebSocketTestClient watcher = subscribe(this.a, topic)) {
			try (SseStream member = SseStream.open(this.b.http().http(),
					URI.create(this.b.http().base() + "/sse?topic=" + topic + "&info=%7B%22n%22%3A1%7D"), null)) {
				assertThat(member.status()).isEqualTo(200);
				await().atMost(WAIT).until(() -> watcher.frames("join").size() == 1);
				JsonNode joined = watcher.frames("join").get(0).get("member");
				assertThat(joined.get("info").get("n").asInt()).isEqualTo(1);
				assertThat(members(this.a, topic)).extracting((m) -> m.get("id").asString())
					.contains(joined.get("id").asString());
			}
			await().atMost(WAIT).until(() -> watcher.frames("leave").size() == 1);
			assertThat(members(this.b, topic)).hasSize(1);
		}
	}

	@Test
	void membersOfAnInstanceKilledWithoutAGoodbyeLeaveWithinThreeHeartbeats() {
		String topic = this.topic + "/killed";
		AppInstance killed = AppInstance.start(PROPERTIES);
		try (WebSocketTestClient watcher = subscribe(this.a, topic);
				WebSocketTestClient member = subscribe(killed, topic)) {
			await().atMost(WAIT).until(() -> watcher.frames("join").size() == 1);
			// its heartbeat keeps it present meanwhile
			await().during(HEARTBEAT.multipliedBy(4)).atMost(HEARTBEAT.multipliedBy(6))
				.until(() -> members(this.b, topic).size() == 2);

			killed.bean(RedisPresence.class).halt();
			long stopped = System.nanoTime();

			await().atMost(WAIT).until(() -> watcher.frames("leave").size() == 1);
			assertThat(Duration.ofNanos(System.nanoTime() - stopped))
				.isLessThan(HEARTBEAT.multipliedBy(3).plusMillis(500));
			assertThat(watcher.frames("leave").get(0).get("member").get("id").asString())
				.isEqualTo(watcher.frames("join").get(0).get("member").get("id").asString());
			assertThat(members(this.b, topic)).hasSize(1);
		}
		finally {
			killed.close();
		}
	}

	private static WebSocketTestClient subscribe(AppInstance instance, String topic) {
		WebSocketTestClient ws = WebSocketTestClient.connect(instance.port(), null);
		ws.send("{\"type\":\"subscribe\",\"topic\":\"" + topic + "\",\"presence\":true}");
		await().atMost(WAIT).until(() -> ws.frames("subscribed").size() == 1);
		return ws;
	}

	private static List<JsonNode> members(AppInstance instance, String topic) {
		RealtimeHttpClient http = instance.http();
		String body = http
			.send(HttpRequest.newBuilder(URI.create(http.base() + "/presence?topic=" + topic)).GET().build())
			.body();
		return RealtimeHttpClient.json(body).get("members").valueStream().toList();
	}

}
