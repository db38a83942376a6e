package io.realtime.webmvc;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import io.realtime.test.RealtimeHttpClient;
import io.realtime.test.SseStream;
import io.realtime.test.TestApplication;
import io.realtime.test.WebSocketTestClient;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Every transport receives what server code publishes and what clients of the other
 * transports publish, on a real Tomcat with real clients.
 */
@SpringBootTest(classes = TestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "realtime.publish.allowed-topics=chat,room/**", "realtime.long-poll.timeout=10s" })
class TransportsIntegrationTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	@LocalServerPort
	int port;

	@Autowired
	RealtimePublisher publisher;

	@Test
	void everyTransportReceivesWhatEveryOtherPublishes() throws Exception {
		RealtimeHttpClient http = new RealtimeHttpClient(this.port);
		String pollCursor = http.poll("poll", List.of("chat"), null).get("cursor").asString();
		String longPollCursor = http.poll("poll", List.of("chat"), null).get("cursor").asString();
		try (SseStream sse = SseStream.open(http.http(), http.uri("sse", List.of("chat"), null), null);
				WebSocketTestClient ws = WebSocketTestClient.connect(this.port, null)) {
			assertThat(sse.status()).isEqualTo(200);
			assertThat(sse.response().headers().firstValue("Cache-Control")).hasValue("no-cache, no-transform");
			assertThat(sse.response().headers().firstValue("X-Accel-Buffering")).hasValue("no");
			ws.send("{\"type\":\"subscribe\",\"topic\":\"chat\"}");
			await().atMost(WAIT).until(() -> ws.frames("subscribed").size() == 1);
			await().atMost(WAIT).until(() -> !sse.events().isEmpty());

			this.publisher.publish("chat", Map.of("from", "server"));
			http.publishJson("chat", "{\"from\":\"http\"}");
			ws.send("{\"type\":\"publish\",\"topic\":\"chat\",\"data\":{\"from\":\"ws\"},\"ref\":\"r1\"}");
			await().atMost(WAIT).until(() -> ws.frames("published").size() == 1);
			assertThat(ws.frames("published").get(0).get("ref").asString()).isEqualTo("r1");

			List<String> expected = List.of("server", "http", "ws");
			await().atMost(WAIT).until(() -> ws.frames("message").size() == 3);
			assertThat(ws.frames("message")).extracting((frame) -> frame.get("data").get("from").asString())
				.isEqualTo(expected);
			await().atMost(WAIT).until(() -> sse.messages().size() == 3);
			assertThat(sse.messages()).extracting(
					(event) -> RealtimeHttpClient.json(event.data()).get("data").get("from").asString())
				.isEqualTo(expected);
			JsonNode polled = http.poll("poll", List.of("chat"), pollCursor);
			assertThat(polled.get("messages")).extracting((message) -> message.get("data").get("from").asString())
				.isEqualTo(expected);
			JsonNode longPolled = http.poll("long-poll", List.of("chat"), longPollCursor);
			assertThat(longPolled.get("messages")).extracting((message) -> message.get("data").get("from").asString())
				.isEqualTo(expected);
			assertThat(longPolled.get("recovered").asBoolean()).isTrue();
		}
	}

	/**
	 * Frames of every length encoding (7-bit, 16-bit and 64-bit), and a burst long enough that
	 * frames collected for one write go out in several.
	 */
	@Test
	void webSocketFramesOfEveryLengthArriveWholeAndInOrder() throws Exception {
		try (WebSocketTestClient ws = WebSocketTestClient.connect(this.port, null)) {
			ws.send("{\"type\":\"subscribe\",\"topic\":\"room/frames\"}");
			await().atMost(WAIT).until(() -> ws.frames("subscribed").size() == 1);
			List<Integer> sizes = new ArrayList<>(List.of(0, 60, 125, 126, 1_000, 40_000, 65_535, 70_000));
			for (int i = 0; i < 600; i++) {
				sizes.add(i % 200);
			}
			for (int size : sizes) {
				this.publisher.publish("room/frames", "x".repeat(size));
			}
			await().atMost(WAIT).until(() -> ws.frames("message").size() == sizes.size());
			assertThat(ws.frames("message")).extracting((frame) -> frame.get("data").asString().length())
				.isEqualTo(sizes);
		}
	}

	@Test
	void longPollWaitsForTheNextMessage() throws Exception {
		RealtimeHttpClient http = new RealtimeHttpClient(this.port);
		CompletableFuture<JsonNode> waiting = CompletableFuture
			.supplyAsync(() -> http.poll("long-poll", List.of("room/1"), null));
		await().atMost(WAIT).until(() -> connections("long-poll") == 1);
		assertThat(waiting).isNotDone();
		this.publisher.publish("room/1", "hello");
		JsonNode reply = waiting.get();
		assertThat(reply.get("messages")).hasSize(1);
		JsonNode envelope = reply.get("messages").get(0);
		assertThat(envelope.get("topic").asString()).isEqualTo("room/1");
		assertThat(envelope.get("data").asString()).isEqualTo("hello");
		assertThat(envelope.get("ts").asLong()).isPositive();
		await().atMost(WAIT).until(() -> connections("long-poll") == 0);
	}

	@Autowired
	ConnectionRegistry registry;

	private int connections(String transport) {
		return this.registry.count(transport);
	}

}
