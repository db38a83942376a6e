package io.realtime.webmvc.http;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import io.realtime.core.Broker;
import io.realtime.webmvc.ConnectionRegistry;
import io.realtime.webmvc.RealtimePublisher;
import io.realtime.test.RealtimeHttpClient;
import io.realtime.test.TestApplication;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A long poll that times out answers {@code 200} with no messages and a cursor that misses
 * nothing published after it, and leaves no connection or subscription behind.
 */
@SpringBootTest(classes = TestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = "realtime.long-poll.timeout=500ms")
class LongPollIntegrationTests {

	@LocalServerPort
	int port;

	@Autowired
	RealtimePublisher publisher;

	@Autowired
	ConnectionRegistry registry;

	@Autowired
	Broker broker;

	@Test
	void pollsThatTimeOutAnswerEmptyWithACursorThatMissesNothing() {
		RealtimeHttpClient http = new RealtimeHttpClient(this.port);
		String cursor = null;
		for (int i = 0; i < 3; i++) {
			long started = System.nanoTime();
			HttpResponse<String> response = http.get("long-poll", List.of("quiet"), cursor);
			assertThat(response.statusCode()).isEqualTo(200);
			assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(400));
			assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
					(type) -> assertThat(type).startsWith("application/json"));
			assertThat(response.headers().firstValue("Cache-Control")).hasValue("no-store");
			JsonNode reply = RealtimeHttpClient.json(response);
			assertThat(reply.get("messages")).isEmpty();
			assertThat(reply.get("recovered").asBoolean()).isTrue();
			cursor = reply.get("cursor").asString();
		}
		this.publisher.publish("quiet", Map.of("n", 1));
		JsonNode reply = http.poll("long-poll", List.of("quiet"), cursor);
		assertThat(reply.get("messages")).hasSize(1);
		assertThat(reply.get("messages").get(0).get("data").get("n").asInt()).isEqualTo(1);
		await().atMost(Duration.ofSeconds(5)).until(() -> this.registry.count("long-poll") == 0);
	}

	@Test
	void manyPollsTimingOutTogetherAllAnswerAndLeaveNothingBehind() {
		RealtimeHttpClient http = new RealtimeHttpClient(this.port);
		List<CompletableFuture<HttpResponse<String>>> polls = new ArrayList<>();
		for (int i = 0; i < 50; i++) {
			polls.add(CompletableFuture.supplyAsync(() -> http.get("long-poll", List.of("together"), null)));
		}
		for (CompletableFuture<HttpResponse<String>> poll : polls) {
			HttpResponse<String> response = poll.join();
			assertThat(response.statusCode()).isEqualTo(200);
			assertThat(RealtimeHttpClient.json(response).get("messages")).isEmpty();
		}
		await().atMost(Duration.ofSeconds(5)).until(() -> this.registry.count("long-poll") == 0);
		assertThat(this.broker.subscriptionCount()).isZero();
	}

}
