package io.realtime.webmvc;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

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
 * A subscriber that starts now may ask for the newest messages first ({@code rewind}): on every
 * transport it receives the newest N (fewer when history holds fewer) in order, then live
 * messages with no gap and no duplicate; a resume's position wins over rewind; more than
 * {@code realtime.history.max-rewind} is a {@code bad_request}.
 */
@SpringBootTest(classes = TestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "realtime.history.size=5", "realtime.history.max-rewind=8",
				"realtime.long-poll.timeout=10s" })
class RewindIntegrationTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	@LocalServerPort
	int port;

	@Autowired
	RealtimePublisher publisher;

	@ParameterizedTest
	@ValueSource(strings = { "poll", "long-poll" })
	void pollRewindsToTheNewestMessagesThenContinuesWithLiveOnes(String endpoint) {
		RealtimeHttpClient http = new RealtimeHttpClient(this.port);
		String topic = topic(endpoint);
		publish(topic, 1, 4);

		JsonNode rewound = poll(http, endpoint, topic, null, 3);
		assertThat(rewound.get("recovered").asBoolean()).isTrue();
		assertThat(rewound.get("messages")).extracting(RewindIntegrationTests::sequence).containsExactly(2, 3, 4);

		publish(topic, 5, 6);
		JsonNode live = poll(http, endpoint, topic, rewound.get("cursor").asString(), null);
		assertThat(live.get("recovered").asBoolean()).isTrue();
		assertThat(live.get("messages")).extracting(RewindIntegrationTests::sequence).containsExactly(5, 6);
	}

	@ParameterizedTest
	@ValueSource(strings = { "poll", "long-poll" })
	void pollRewindFurtherThanHistoryReturnsWhatHistoryHolds(String endpoint) {
		RealtimeHttpClient http = new RealtimeHttpClient(this.port);
		String topic = topic(endpoint);
		publish(topic, 1, 7);

		JsonNode rewound = poll(http, endpoint, topic, null, 8);
		assertThat(rewound.get("recovered").asBoolean()).isTrue();
		assertThat(rewound.has("reset")).isFalse();
		assertThat(rewound.get("messages")).extracting(RewindIntegrationTests::sequence)
			.containsExactly(3, 4, 5, 6, 7);
	}

	@Test
	void sseRewindsToTheNewestMessagesThenContinuesWithLiveOnes() {
		RealtimeHttpClient http = new RealtimeHttpClient(this.port);
		String topic = topic("sse");
		publish(topic, 1, 4);
		try (SseStream sse = SseStream.open(http.http(), uri(http, "sse", topic, null, 2), null)) {
			assertThat(sse.status()).isEqualTo(200);
			await().atMost(WAIT).until(() -> sse.messages().size() >= 2);
			publish(topic, 5, 6);
			await().atMost(WAIT).until(() -> sse.messages().size() >= 4);
			assertThat(sse.messages()).extracting(RewindIntegrationTests::sequence).containsExactly(3, 4, 5, 6);
			List<Event> named = sse.events().stream().filter((event) -> !event.name().isEmpty()).toList();
			assertThat(named).extracting(Event::name).containsExactly("ready", "message", "message", "message",
					"message");
			// the stream starts before the rewound messages: a reconnect from 'ready' gets them again
			JsonNode replay = http.poll("poll", List.of(topic), named.get(0).id());
			assertThat(replay.get("messages")).extracting(RewindIntegrationTests::sequence)
				.containsExactly(3, 4, 5, 6);
		}
	}

	@Test
	void webSocketRewindsToTheNewestMessagesThenContinuesWithLiveOnes() {
		String topic = topic("ws");
		publish(topic, 1, 7);
		try (WebSocketTestClient client = WebSocketTestClient.connect(this.port, null)) {
			client.send("{\"type\":\"subscribe\",\"topic\":\"" + topic + "\",\"rewind\":3}");
			await().atMost(WAIT).until(() -> client.frames("message").size() >= 3);
			publish(topic, 8, 9);
			await().atMost(WAIT).until(() -> client.frames("message").size() >= 5);
			JsonNode subscribed = client.frames().get(0);
			assertThat(subscribed.get("type").asString()).isEqualTo("subscribed");
			assertThat(subscribed.get("recovered").asBoolean()).isTrue();
			assertThat(client.frames("message")).extracting(RewindIntegrationTests::sequence)
				.containsExactly(5, 6, 7, 8, 9);
			assertThat(client.frames("error")).isEmpty();
		}
		try (WebSocketTestClient client = WebSocketTestClient.connect(this.port, null)) {
			// more than history holds: what it holds
			client.send("{\"type\":\"subscribe\",\"topic\":\"" + topic + "\",\"rewind\":8}");
			await().atMost(WAIT).until(() -> client.frames("message").size() >= 5);
			assertThat(client.frames("message")).extracting(RewindIntegrationTests::sequence)
				.containsExactly(5, 6, 7, 8, 9);
			assertThat(client.frames("subscribed")).singleElement()
				.satisfies((frame) -> assertThat(frame.get("recovered").asBoolean()).isTrue());
		}
	}

	@ParameterizedTest
	@ValueSource(strings = { "poll", "long-poll" })
	void pollResumeIgnoresRewind(String endpoint) {
		RealtimeHttpClient http = new RealtimeHttpClient(this.port);
		String topic = topic(endpoint);
		publish(topic, 1, 1);
		String cursor = http.poll("poll", List.of(topic), null).get("cursor").asString();
		publish(topic, 2, 4);
		JsonNode resumed = poll(http, endpoint, topic, cursor, 1);
		assertThat(resumed.get("messages")).extracting(RewindIntegrationTests::sequence).containsExactly(2, 3, 4);
	}

	@Test
	void sseResumeWithLastEventIdIgnoresRewind() {
		RealtimeHttpClient http = new RealtimeHttpClient(this.port);
		String topic = topic("sse");
		publish(topic, 1, 1);
		String cursor = http.poll("poll", List.of(topic), null).get("cursor").asString();
		publish(topic, 2, 4);
		try (SseStream sse = SseStream.open(http.http(), uri(http, "sse", topic, null, 1), cursor)) {
			assertThat(sse.status()).isEqualTo(200);
			await().atMost(WAIT).until(() -> sse.messages().size() >= 3);
			publish(topic, 5, 5);
			await().atMost(WAIT).until(() -> sse.messages().size() >= 4);
			assertThat(sse.messages()).extracting(RewindIntegrationTests::sequence).containsExactly(2, 3, 4, 5);
		}
	}

	@Test
	void webSocketResumeWithSinceIgnoresRewind() {
		String topic = topic("ws");
		publish(topic, 1, 1);
		String position;
		try (WebSocketTestClient first = WebSocketTestClient.connect(this.port, null)) {
			first.send("{\"type\":\"subscribe\",\"topic\":\"" + topic + "\"}");
			await().atMost(WAIT).until(() -> first.frames("subscribed").size() == 1);
			position = first.frames("subscribed").get(0).get("position").asString();
		}
		publish(topic, 2, 4);
		try (WebSocketTestClient second = WebSocketTestClient.connect(this.port, null)) {
			second.send("{\"type\":\"subscribe\",\"topic\":\"" + topic + "\",\"since\":\"" + position
					+ "\",\"rewind\":1}");
			await().atMost(WAIT).until(() -> second.frames("message").size() >= 3);
			publish(topic, 5, 5);
			await().atMost(WAIT).until(() -> second.frames("message").size() >= 4);
			assertThat(second.frames("message")).extracting(RewindIntegrationTests::sequence)
				.containsExactly(2, 3, 4, 5);
		}
	}

	@ParameterizedTest
	@ValueSource(strings = { "poll", "long-poll", "sse" })
	void rewindOverTheLimitOrNotAWholeNumberIsABadRequest(String endpoint) {
		RealtimeHttpClient http = new RealtimeHttpClient(this.port);
		String topic = topic(endpoint);
		publish(topic, 1, 3);
		for (String rewind : List.of("9", "-1", "two", "1.5", "99999999999999999999")) {
			URI uri = URI.create(http.uri(endpoint, List.of(topic), null) + "&rewind=" + rewind);
			HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).timeout(WAIT).GET().build());
			assertThat(response.statusCode()).as(rewind).isEqualTo(400);
			assertThat(response.headers().firstValue("Content-Type"))
				.hasValueSatisfying((type) -> assertThat(MediaType.parseMediaType(type)
					.isCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)).isTrue());
			JsonNode problem = RealtimeHttpClient.json(response);
			assertThat(problem.path("status").asInt()).isEqualTo(400);
			assertThat(problem.path("detail").asString()).as(rewind).contains("rewind").contains("8");
		}
		// the limit itself is served
		assertThat(poll(http, "poll", topic, null, 8).get("messages")).hasSize(3);
	}

	@Test
	void webSocketRewindOverTheLimitOrNotAWholeNumberIsAnErrorFrameAndTheConnectionStays() {
		String topic = topic("ws");
		publish(topic, 1, 3);
		try (WebSocketTestClient client = WebSocketTestClient.connect(this.port, null)) {
			List<String> refused = List.of("9", "-1", "\"2\"", "1.5", "true", "99999999999999999999");
			for (String rewind : refused) {
				client.send("{\"type\":\"subscribe\",\"topic\":\"" + topic + "\",\"rewind\":" + rewind
						+ ",\"ref\":\"r\"}");
			}
			await().atMost(WAIT).until(() -> client.frames("error").size() == refused.size());
			assertThat(client.frames("error")).allSatisfy((error) -> {
				assertThat(error.get("code").asString()).isEqualTo("bad_request");
				assertThat(error.get("topic").asString()).isEqualTo(topic);
				assertThat(error.get("ref").asString()).isEqualTo("r");
				assertThat(error.get("message").asString()).contains("rewind").contains("8");
			});
			assertThat(client.frames("subscribed")).isEmpty();
			client.send("{\"type\":\"subscribe\",\"topic\":\"" + topic + "\",\"rewind\":2}");
			await().atMost(WAIT).until(() -> client.frames("message").size() >= 2);
			assertThat(client.frames("message")).extracting(RewindIntegrationTests::sequence).containsExactly(2, 3);
		}
	}

	private JsonNode poll(RealtimeHttpClient http, String endpoint, String topic, @Nullable String cursor,
			@Nullable Integer rewind) {
		HttpResponse<String> response = http
			.send(HttpRequest.newBuilder(uri(http, endpoint, topic, cursor, rewind)).timeout(WAIT).GET().build());
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		return RealtimeHttpClient.json(response);
	}

	private static URI uri(RealtimeHttpClient http, String endpoint, String topic, @Nullable String cursor,
			@Nullable Integer rewind) {
		URI uri = http.uri(endpoint, List.of(topic), cursor);
		return (rewind != null) ? URI.create(uri + "&rewind=" + rewind) : uri;
	}

	private void publish(String topic, int from, int to) {
		for (int i = from; i <= to; i++) {
			this.publisher.publish(topic, Map.of("seq", i));
		}
	}

	private static String topic(String name) {
		return "rewind-" + name + "-" + UUID.randomUUID();
	}

	private static int sequence(Event event) {
		return sequence(RealtimeHttpClient.json(event.data()));
	}

	private static int sequence(JsonNode envelope) {
		return envelope.get("data").get("seq").asInt();
	}

}
