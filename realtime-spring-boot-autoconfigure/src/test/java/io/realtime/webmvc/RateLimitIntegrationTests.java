package io.realtime.webmvc;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import io.realtime.test.RealtimeHttpClient;
import io.realtime.test.TestApplication;
import io.realtime.test.WebSocketTestClient;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A client past its rate of publishes, subscribes or WebSocket frames is refused with 429 and
 * Retry-After, or a {@code rate_limited} error frame on a WebSocket that stays open, and is
 * served again once it waited that long. Each test is another client (X-Forwarded-For, trusted
 * here), and one token comes back every four seconds, so a slow machine cannot refill a bucket
 * between the requests that empty it and the one refused.
 */
@SpringBootTest(classes = TestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "realtime.limits.enabled=true", "server.forward-headers-strategy=framework",
				"realtime.publish.allowed-topics=limits/**",
				"realtime.limits.publish.rate=0.25", "realtime.limits.publish.burst=2",
				"realtime.limits.subscribe.rate=0.25", "realtime.limits.subscribe.burst=2",
				"realtime.limits.websocket-frames.rate=0.25", "realtime.limits.websocket-frames.burst=4" })
class RateLimitIntegrationTests {

	private static final Duration WAIT = Duration.ofSeconds(20);

	/** One token per four seconds, rounded up to whole seconds by Retry-After. */
	private static final long REFILL_MILLIS = 4000;

	@LocalServerPort
	int port;

	@Autowired
	RealtimePublisher publisher;

	private RealtimeHttpClient http;

	@BeforeEach
	void client() {
		this.http = new RealtimeHttpClient(this.port);
	}

	@Test
	void httpPublishPastItsRateIs429WithRetryAfterThenAcceptedOnceWaited() {
		Supplier<HttpResponse<String>> publish = () -> this.http
			.send(request("publish?topic=limits/chat", "10.1.0.1").header("Content-Type", "application/json")
				.POST(BodyPublishers.ofString("{\"text\":\"hi\"}"))
				.build());
		HttpResponse<String> refused = untilRefused(publish);
		long retryAfter = assertRateLimited(refused);
		assertThat(RealtimeHttpClient.json(refused).get("detail").asString()).contains("publishes");
		await().pollDelay(Duration.ofMillis(retryAfter))
			.atMost(WAIT)
			.until(() -> publish.get().statusCode() == 202);
	}

	@Test
	void httpSubscribePastItsRateIs429WithRetryAfterThenServedOnceWaited() {
		Supplier<HttpResponse<String>> poll = () -> this.http
			.send(request("poll?topic=limits/news", "10.1.0.2").GET().build());
		HttpResponse<String> refused = untilRefused(poll);
		long retryAfter = assertRateLimited(refused);
		assertThat(RealtimeHttpClient.json(refused).get("detail").asString()).contains("subscribes");
		// every subscribing endpoint takes from the same share
		assertThat(this.http.send(request("sse?topic=limits/news", "10.1.0.2").GET().build()).statusCode())
			.isEqualTo(429);
		await().pollDelay(Duration.ofMillis(retryAfter))
			.atMost(WAIT)
			.until(() -> poll.get().statusCode() == 200);
	}

	@Test
	void webSocketFramesPastTheirRateGetRateLimitedErrorsOnAConnectionThatStaysUsable() {
		try (WebSocketTestClient ws = WebSocketTestClient.connect(this.port, null,
				Map.of("X-Forwarded-For", "10.1.0.3"))) {
			for (int i = 0; i < 6; i++) {
				ws.send("{\"type\":\"ping\"}");
			}
			await().atMost(WAIT).until(() -> ws.frames().size() == 6);
			assertThat(ws.frames("pong")).hasSizeBetween(4, 5);
			JsonNode error = ws.frames("error").get(0);
			assertThat(error.get("code").asString()).isEqualTo("rate_limited");
			assertThat(error.get("message").asString()).contains("frames");
			long retryAfter = error.get("retryAfter").asLong();
			assertThat(retryAfter).isBetween(1L, REFILL_MILLIS);
			int pongs = ws.frames("pong").size();
			await().pollDelay(Duration.ofMillis(retryAfter)).atMost(WAIT).untilAsserted(() -> {
				ws.send("{\"type\":\"ping\"}");
				assertThat(ws.frames("pong")).hasSizeGreaterThan(pongs);
			});
			assertThat(ws.closed()).isNotDone();
		}
	}

	@Test
	void webSocketPublishPastItsRateIsRefusedWithTheFramesRefTopicAndRetryAfter() {
		try (WebSocketTestClient ws = WebSocketTestClient.connect(this.port, null,
				Map.of("X-Forwarded-For", "10.1.0.4"))) {
			for (int i = 1; i <= 3; i++) {
				ws.send("{\"type\":\"publish\",\"topic\":\"limits/room\",\"data\":" + i + ",\"ref\":\"r" + i + "\"}");
			}
			await().atMost(WAIT).until(() -> ws.frames().size() == 3);
			assertThat(ws.frames("published")).extracting((frame) -> frame.get("ref").asString())
				.containsExactly("r1", "r2");
			JsonNode error = ws.frames("error").get(0);
			assertThat(error.get("code").asString()).isEqualTo("rate_limited");
			assertThat(error.get("ref").asString()).isEqualTo("r3");
			assertThat(error.get("topic").asString()).isEqualTo("limits/room");
			assertThat(error.get("retryAfter").asLong()).isBetween(1L, REFILL_MILLIS);
			await().pollDelay(Duration.ofMillis(error.get("retryAfter").asLong())).atMost(WAIT).untilAsserted(() -> {
				ws.send("{\"type\":\"publish\",\"topic\":\"limits/room\",\"data\":4,\"ref\":\"r4\"}");
				assertThat(ws.frames("published")).extracting((frame) -> frame.get("ref").asString()).contains("r4");
			});
		}
	}

	@Test
	void serverSidePublishingIsNeverLimited() {
		List<String> ids = new ArrayList<>();
		for (int i = 0; i < 100; i++) {
			ids.add(this.publisher.publishJson("limits/server", "{\"n\":" + i + "}").id());
		}
		assertThat(ids).hasSize(100).doesNotHaveDuplicates();
	}

	private HttpRequest.Builder request(String path, String client) {
		return HttpRequest.newBuilder(URI.create(this.http.base() + "/" + path)).header("X-Forwarded-For", client);
	}

	/** Send until refused: a few more than the burst, so no refill on a slow machine hides it. */
	private static HttpResponse<String> untilRefused(Supplier<HttpResponse<String>> request) {
		for (int i = 0; i < 5; i++) {
			HttpResponse<String> response = request.get();
			if (response.statusCode() != 202 && response.statusCode() != 200) {
				return response;
			}
		}
		throw new AssertionError("never refused");
	}

	/** The refusal's shape; its wait in milliseconds. */
	private static long assertRateLimited(HttpResponse<String> response) {
		assertThat(response.statusCode()).isEqualTo(429);
		assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
		long seconds = Long.parseLong(response.headers().firstValue("Retry-After").orElseThrow());
		assertThat(seconds).isBetween(1L, REFILL_MILLIS / 1000);
		JsonNode problem = RealtimeHttpClient.json(response);
		assertThat(problem.get("status").asInt()).isEqualTo(429);
		long millis = problem.get("retryAfter").asLong();
		assertThat(millis).isBetween(1L, REFILL_MILLIS);
		assertThat((millis + 999) / 1000).isEqualTo(seconds);
		return millis;
	}

}
