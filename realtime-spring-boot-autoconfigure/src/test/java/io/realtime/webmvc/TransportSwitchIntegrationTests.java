package io.realtime.webmvc;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.realtime.core.Message;
import io.realtime.test.RealtimeHttpClient;
import io.realtime.test.SseStream;
import io.realtime.test.SseStream.Event;
import io.realtime.test.TestApplication;
import io.realtime.test.WebSocketTestClient;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A client switching between WebSocket and the HTTP transports resumes every topic where it
 * stopped: HTTP requests take per-topic message ids ({@code since=<topic>=<id>}, which win over
 * the cursor), a WebSocket subscribe takes an HTTP cursor ({@code "cursor"}, {@code since} wins).
 * No gap, no duplicate, a reset when history cannot cover it.
 */
@SpringBootTest(classes = TestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "realtime.history.size=5", "realtime.long-poll.timeout=10s" })
class TransportSwitchIntegrationTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	@LocalServerPort
	int port;

	@Autowired
	RealtimePublisher publisher;

	@ParameterizedTest
	@ValueSource(strings = { "poll", "long-poll" })
	void pollResumesEachTopicFromItsSinceAndOthersFromTheCursor(String endpoint) {
		RealtimeHttpClient http = new RealtimeHttpClient(this.port);
		String moved = topic(endpoint);
		String quiet = topic(endpoint);
		// an old cursor for both topics, then the client went on over WebSocket on 'moved'
		String cursor = http.poll("poll", List.of(moved, quiet), null).get("cursor").asString();
		publish(moved, 1, 2);
		String lastId = publish(moved, 3, 3);
		publish(moved, 4, 5);
		publish(quiet, 1, 1);

		JsonNode reply = poll(http, endpoint, List.of(moved, quiet), cursor, Map.of(moved, lastId));
		assertThat(reply.get("recovered").asBoolean()).isTrue();
		assertThat(reply.get("messages")).extracting((m) -> m.get("topic").asString() + ":" + sequence(m))
			.containsExactly(moved + ":4", moved + ":5", quiet + ":1");

		// the reply's cursor holds the new positions: continuing with it alone repeats nothing
		publish(moved, 6, 6);
		JsonNode next = poll(http, endpoint, List.of(moved, quiet), reply.get("cursor").asString(), Map.of());
		assertThat(next.get("messages")).extracting(TransportSwitchIntegrationTests::sequence).containsExactly(6);
	}

	@Test
	void sseResumesFromSinceWithoutACursor() {
		RealtimeHttpClient http = new RealtimeHttpClient(this.port);
		String topic = topic("sse");
		String lastId = publish(topic, 1, 2);
		publish(topic, 3, 4);
		try (SseStream sse = SseStream.open(http.http(), uri(http, "sse", List.of(topic), null, Map.of(topic, lastId)),
				null)) {
			assertThat(sse.status()).isEqualTo(200);
			await().atMost(WAIT).until(() -> sse.messages().size() >= 2);
			publish(topic, 5, 5);
			await().atMost(WAIT).until(() -> sse.messages().size() >= 3);
			assertThat(sse.messages()).extracting((event) -> sequence(RealtimeHttpClient.json(event.data())))
				.containsExactly(3, 4, 5);
			assertThat(sse.events()).extracting(Event::name).doesNotContain("reset");
		}
	}

	@Test
	void sseLastEventIdWinsOverSinceInTheUrl() {
		RealtimeHttpClient http = new RealtimeHttpClient(this.port);
		String topic = topic("sse");
		String firstId = publish(topic, 1, 1);
		publish(topic, 2, 2);
		// where an EventSource that had message 2 reconnects to, repeating its original URL
		String cursor = http.poll("poll", List.of(topic), null).get("cursor").asString();
		publish(topic, 3, 3);
		try (SseStream sse = SseStream.open(http.http(), uri(http, "sse", List.of(topic), null, Map.of(topic, firstId)),
				cursor)) {
			assertThat(sse.status()).isEqualTo(200);
			publish(topic, 4, 4);
			await().atMost(WAIT).until(() -> sse.messages().size() >= 2);
			assertThat(sse.messages()).extracting((event) -> sequence(RealtimeHttpClient.json(event.data())))
				.containsExactly(3, 4);
		}
	}

	@ParameterizedTest
	@ValueSource(strings = { "poll", "long-poll" })
	void sinceOlderThanHistoryIsAReset(String endpoint) {
		RealtimeHttpClient http = new RealtimeHttpClient(this.port);
		String topic = topic(endpoint);
		String lastId = publish(topic, 1, 1);
		publish(topic, 2, 9);
		JsonNode reply = poll(http, endpoint, List.of(topic), null, Map.of(topic, lastId));
		assertThat(reply.get("recovered").asBoolean()).isFalse();
		assertThat(reply.get("reset")).extracting(JsonNode::asString).containsExactly(topic);
		assertThat(reply.get("messages")).extracting(TransportSwitchIntegrationTests::sequence)
			.containsExactly(5, 6, 7, 8, 9);
	}

	@ParameterizedTest
	@ValueSource(strings = { "poll", "long-poll", "sse" })
	void malformedSinceIsABadRequest(String endpoint) {
		RealtimeHttpClient http = new RealtimeHttpClient(this.port);
		String topic = topic(endpoint);
		String id = publish(topic, 1, 1);
		for (String since : List.of(id, "=" + id, topic + "=", topic + "=a/b", "bad topic=" + id)) {
			URI uri = URI.create(http.uri(endpoint, List.of(topic), null) + "&since=" + encode(since));
			HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).timeout(WAIT).GET().build());
			assertThat(response.statusCode()).as(since).isEqualTo(400);
			assertThat(response.headers().firstValue("Content-Type"))
				.hasValueSatisfying((type) -> assertThat(MediaType.parseMediaType(type)
					.isCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)).isTrue());
			assertThat(RealtimeHttpClient.json(response).path("detail").asString()).as(since).contains("since");
		}
		URI twice = URI.create(http.uri(endpoint, List.of(topic), null) + "&since=" + encode(topic + "=" + id)
				+ "&since=" + encode(topic + "=" + id));
		assertThat(http.send(HttpRequest.newBuilder(twice).timeout(WAIT).GET().build()).statusCode()).isEqualTo(400);
	}

	@Test
	void webSocketSubscribeResumesFromAnHttpCursor() {
		RealtimeHttpClient http = new RealtimeHttpClient(this.port);
		String quiet = topic("ws");
		String other = topic("ws");
		// a topic that has had no message: only the cursor knows where the client stands
		String cursor = http.poll("poll", List.of(quiet, other), null).get("cursor").asString();
		publish(quiet, 1, 2);
		String otherId = publish(other, 1, 1);
		publish(other, 2, 2);
		try (WebSocketTestClient client = WebSocketTestClient.connect(this.port, null)) {
			client.send("{\"type\":\"subscribe\",\"topic\":\"" + quiet + "\",\"cursor\":\"" + cursor + "\"}");
			// 'since' wins over the cursor
			client.send("{\"type\":\"subscribe\",\"topic\":\"" + other + "\",\"cursor\":\"" + cursor
					+ "\",\"since\":\"" + otherId + "\"}");
			await().atMost(WAIT).until(() -> client.frames("subscribed").size() == 2);
			publish(quiet, 3, 3);
			await().atMost(WAIT).until(() -> client.frames("message").size() >= 4);
			assertThat(client.frames("message")).extracting((m) -> m.get("topic").asString() + ":" + sequence(m))
				.containsExactly(quiet + ":1", quiet + ":2", other + ":2", quiet + ":3");
			assertThat(client.frames("subscribed"))
				.allSatisfy((frame) -> assertThat(frame.get("recovered").asBoolean()).isTrue());
			assertThat(client.frames("error")).isEmpty();
		}
	}

	@Test
	void webSocketSubscribeWithABadCursorIsAnErrorFrameAndTheConnectionStays() {
		String topic = topic("ws");
		try (WebSocketTestClient client = WebSocketTestClient.connect(this.port, null)) {
			client.send("{\"type\":\"subscribe\",\"topic\":\"" + topic + "\",\"cursor\":\"not a cursor\"}");
			client.send("{\"type\":\"subscribe\",\"topic\":\"" + topic + "\",\"cursor\":7}");
			await().atMost(WAIT).until(() -> client.frames("error").size() == 2);
			assertThat(client.frames("error"))
				.allSatisfy((error) -> assertThat(error.get("code").asString()).isEqualTo("bad_request"));
			client.send("{\"type\":\"subscribe\",\"topic\":\"" + topic + "\"}");
			await().atMost(WAIT).until(() -> client.frames("subscribed").size() == 1);
		}
	}

	private JsonNode poll(RealtimeHttpClient http, String endpoint, List<String> topics, @Nullable String cursor,
			Map<String, String> since) {
		HttpResponse<String> response = http
			.send(HttpRequest.newBuilder(uri(http, endpoint, topics, cursor, since)).timeout(WAIT).GET().build());
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		return RealtimeHttpClient.json(response);
	}

	private static URI uri(RealtimeHttpClient http, String endpoint, List<String> topics, @Nullable String cursor,
			Map<String, String> since) {
		StringBuilder uri = new StringBuilder(http.uri(endpoint, topics, cursor).toString());
		since.forEach((topic, id) -> uri.append("&since=").append(encode(topic + "=" + id)));
		return URI.create(uri.toString());
	}

	/** Publishes {@code seq} from..to and returns the id of the last. */
	private String publish(String topic, int from, int to) {
		String id = null;
		for (int i = from; i <= to; i++) {
			Message message = this.publisher.publish(topic, Map.of("seq", i));
			id = message.id();
		}
		return id;
	}

	private static String encode(String value) {
		return URLEncoder.encode(value, StandardCharsets.UTF_8);
	}

	private static String topic(String name) {
		return "switch-" + name + "-" + UUID.randomUUID();
	}

	private static int sequence(JsonNode envelope) {
		return envelope.get("data").get("seq").asInt();
	}

}
