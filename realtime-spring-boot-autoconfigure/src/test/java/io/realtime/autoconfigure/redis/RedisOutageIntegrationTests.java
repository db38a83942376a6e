package io.realtime.autoconfigure.redis;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;

import io.realtime.core.BrokerUnavailableException;
import io.realtime.redis.test.RedisServer;
import io.realtime.test.RealtimeHttpClient;
import io.realtime.test.SseStream;
import io.realtime.test.WebSocketTestClient;
import io.realtime.webmvc.RealtimePublisher;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Redis goes away in the middle of a stream and comes back empty (it keeps nothing on disk):
 * publishing fails clearly meanwhile, connected clients stay connected, health goes DOWN then
 * UP, and every message accepted reaches every subscriber once, in order.
 */
@Tag("redis")
class RedisOutageIntegrationTests {

	private static final Duration WAIT = Duration.ofSeconds(30);

	private static final String TOPIC = "outage";

	private final RedisServer redis = RedisServer.start();

	private final AppInstance a = AppInstance.start(this.redis.port());

	private final AppInstance b = AppInstance.start(this.redis.port());

	@AfterEach
	void stop() {
		this.a.close();
		this.b.close();
		this.redis.close();
	}

	@Test
	void redisRestartLosesNoAcceptedMessageAndHealthFollowsIt() {
		RealtimeHttpClient onA = this.a.http();
		try (SseStream sse = SseStream.open(this.b.http().http(), this.b.http().uri("sse", List.of(TOPIC), null), null);
				WebSocketTestClient ws = WebSocketTestClient.connect(this.a.port(), null)) {
			ws.send("{\"type\":\"subscribe\",\"topic\":\"" + TOPIC + "\"}");
			await().atMost(WAIT).until(() -> !ws.frames("subscribed").isEmpty() && !sse.events().isEmpty());
			assertThat(health(this.a)).isEqualTo("UP");
			for (int i = 0; i < 50; i++) {
				onA.publishJson(TOPIC, Integer.toString(i));
			}
			await().atMost(WAIT).until(() -> sse.messages().size() == 50);

			this.redis.kill();

			await().atMost(WAIT).until(() -> health(this.a).equals("DOWN") && health(this.b).equals("DOWN"));
			HttpResponse<String> refused = onA.publish(TOPIC, "application/json", "\"lost\"");
			assertThat(refused.statusCode()).isEqualTo(503);
			assertThat(refused.headers().firstValue("Content-Type")).hasValueSatisfying(
					(type) -> assertThat(type).startsWith("application/problem+json"));
			assertThat(RealtimeHttpClient.json(refused).get("detail").asString()).contains("unavailable");
			ws.send("{\"type\":\"publish\",\"topic\":\"" + TOPIC + "\",\"data\":\"lost\",\"ref\":\"r1\"}");
			await().atMost(WAIT).until(() -> !ws.frames("error").isEmpty());
			assertThat(ws.frames("error").get(0).get("code").asString()).isEqualTo("internal");
			assertThat(ws.frames("error").get(0).get("ref").asString()).isEqualTo("r1");
			assertThatExceptionOfType(BrokerUnavailableException.class)
				.isThrownBy(() -> this.b.bean(RealtimePublisher.class).publish(TOPIC, "lost"));
			assertThat(sse.ended()).isFalse();
			assertThat(ws.closed()).isNotDone();

			this.redis.restart();

			await().atMost(WAIT).until(() -> health(this.a).equals("UP") && health(this.b).equals("UP"));
			for (int i = 50; i < 100; i++) {
				onA.publishJson(TOPIC, Integer.toString(i));
			}
			List<Integer> expected = IntStream.range(0, 100).boxed().toList();
			await().atMost(WAIT).untilAsserted(() -> assertThat(sse.messages())
				.extracting((event) -> RealtimeHttpClient.json(event.data()).get("data").asInt())
				.containsExactlyElementsOf(expected));
			await().atMost(WAIT).untilAsserted(() -> assertThat(ws.frames("message"))
				.extracting((frame) -> frame.get("data").asInt())
				.containsExactlyElementsOf(expected));
			assertThat(sse.ended()).isFalse();
		}
	}

	/**
	 * Redis refuses the script after it was sent (here: out of memory), so the HTTP publish,
	 * answered asynchronously, is refused as a failure detected at once is.
	 */
	@Test
	void publishRefusedByAFullRedisIsAnswered503UntilRedisHasRoom() {
		LettuceConnectionFactory connectionFactory = this.redis.connectionFactory();
		try {
			StringRedisTemplate redis = new StringRedisTemplate(connectionFactory);
			RealtimeHttpClient onA = this.a.http();
			onA.publishJson(TOPIC, "1");
			String cursor = onA.poll("poll", List.of(TOPIC), null).get("cursor").asString();
			redis.execute((RedisCallback<Object>) (connection) -> {
				connection.serverCommands().setConfig("maxmemory", "1");
				return null;
			});
			HttpResponse<String> refused = onA.publish(TOPIC, "application/json", "2");
			assertThat(refused.statusCode()).isEqualTo(503);
			assertThat(RealtimeHttpClient.json(refused).get("detail").asString())
				.isEqualTo("the message broker (Redis) is unavailable, try again later");
			redis.execute((RedisCallback<Object>) (connection) -> {
				connection.serverCommands().setConfig("maxmemory", "0");
				return null;
			});
			String id = onA.publishJson(TOPIC, "3");
			// the refused message is nowhere
			assertThat(onA.poll("poll", List.of(TOPIC), cursor).get("messages")).singleElement()
				.satisfies((message) -> assertThat(message.get("id").asString()).isEqualTo(id));
		}
		finally {
			connectionFactory.destroy();
		}
	}

	private static String health(AppInstance instance) {
		HttpResponse<String> response = instance.http()
			.send(HttpRequest.newBuilder(URI.create("http://localhost:" + instance.port() + "/actuator/health"))
				.timeout(Duration.ofSeconds(10))
				.build());
		JsonNode health = RealtimeHttpClient.json(response);
		return health.path("components").path("realtimeBroker").path("status").asString();
	}

}
