package io.realtime.webmvc;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.realtime.core.Cursor;
import io.realtime.test.RealtimeHttpClient;
import io.realtime.test.SseStream;
import io.realtime.test.SseStream.Event;
import io.realtime.test.TestApplication;
import io.realtime.test.WebSocketTestClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A resume that reaches back further than history, or into another broker lifetime, cannot be
 * gap-free: every transport says so and continues from the oldest message still held, never
 * silently skipping and never refusing the client.
 */
@SpringBootTest(classes = TestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "realtime.history.size=5", "realtime.long-poll.timeout=10s" })
class HistoryResetIntegrationTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	@LocalServerPort
	int port;

	@Autowired
	RealtimePublisher publisher;

	@ParameterizedTest
	@ValueSource(strings = { "poll", "long-poll" })
	void resumeOlderThanHistoryIsAnsweredWithResetThenTheOldestMessagesHeld(String endpoint) {
		RealtimeHttpClient http = new RealtimeHttpClient(this.port);
		List<String> topics = List.of("reset-" + endpoint);
		String start = http.poll("poll", topics, null).get("cursor").asString();
		publish(topics.get(0), 1, 8);

		JsonNode reset = http.poll(endpoint, topics, start);
		assertThat(reset.get("recovered").asBoolean()).isFalse();
		assertThat(reset.get("reset")).extracting(JsonNode::asString).containsExactly(topics.get(0));
		assertThat(reset.get("messages")).extracting(HistoryResetIntegrationTests::sequence)
			.containsExactly(4, 5, 6, 7, 8);

		publish(topics.get(0), 9, 9);
		JsonNode next = http.poll(endpoint, topics, reset.get("cursor").asString());
		assertThat(next.get("recovered").asBoolean()).isTrue();
		assertThat(next.has("reset")).isFalse();
		assertThat(next.get("messages")).extracting(HistoryResetIntegrationTests::sequence).containsExactly(9);
	}

	@Test
	void sseResumeOlderThanHistorySendsResetEventThenTheOldestMessagesHeld() {
		RealtimeHttpClient http = new RealtimeHttpClient(this.port);
		List<String> topics = List.of("reset-sse");
		String start = http.poll("poll", topics, null).get("cursor").asString();
		publish("reset-sse", 1, 8);
		try (SseStream sse = SseStream.open(http.http(), http.uri("sse", topics, null), start)) {
			assertThat(sse.status()).isEqualTo(200);
			await().atMost(WAIT).until(() -> sse.messages().size() >= 5);
			assertResetThenMessages(sse, "reset-sse", 4, 5, 6, 7, 8);
			publish("reset-sse", 9, 9);
			await().atMost(WAIT).until(() -> sse.messages().size() >= 6);
			assertThat(sse.messages()).extracting(HistoryResetIntegrationTests::sequence)
				.containsExactly(4, 5, 6, 7, 8, 9);
		}
	}

	@Test
	void webSocketResumeOlderThanHistoryIsSubscribedUnrecoveredThenTheOldestMessagesHeld() {
		String position;
		try (WebSocketTestClient first = WebSocketTestClient.connect(this.port, null)) {
			first.send("{\"type\":\"subscribe\",\"topic\":\"reset-ws\"}");
			await().atMost(WAIT).until(() -> first.frames("subscribed").size() == 1);
			position = first.frames("subscribed").get(0).get("position").asString();
		}
		publish("reset-ws", 1, 8);
		try (WebSocketTestClient second = WebSocketTestClient.connect(this.port, null)) {
			second.send("{\"type\":\"subscribe\",\"topic\":\"reset-ws\",\"since\":\"" + position + "\"}");
			await().atMost(WAIT).until(() -> second.frames("message").size() >= 5);
			assertSubscribedUnrecoveredThenMessages(second, "reset-ws", 4, 5, 6, 7, 8);
			publish("reset-ws", 9, 9);
			await().atMost(WAIT).until(() -> second.frames("message").size() >= 6);
			assertThat(second.frames("message")).extracting(HistoryResetIntegrationTests::sequence)
				.containsExactly(4, 5, 6, 7, 8, 9);
		}
	}

	@ParameterizedTest
	@ValueSource(strings = { "poll", "long-poll" })
	void cursorFromAnotherBrokerLifetimeIsAnsweredWithResetNotAnError(String endpoint) {
		RealtimeHttpClient http = new RealtimeHttpClient(this.port);
		String topic = "foreign-" + endpoint;
		publish(topic, 1, 2);
		String foreign = Cursor.of(Map.of(topic, "zzzz.5")).encode();

		JsonNode reset = http.poll(endpoint, List.of(topic), foreign);
		assertThat(reset.get("recovered").asBoolean()).isFalse();
		assertThat(reset.get("reset")).extracting(JsonNode::asString).containsExactly(topic);
		assertThat(reset.get("messages")).extracting(HistoryResetIntegrationTests::sequence).containsExactly(1, 2);
		JsonNode next = http.poll("poll", List.of(topic), reset.get("cursor").asString());
		assertThat(next.get("recovered").asBoolean()).isTrue();
		assertThat(next.get("messages")).isEmpty();
	}

	@Test
	void sseCursorFromAnotherBrokerLifetimeIsAnsweredWithReset() {
		RealtimeHttpClient http = new RealtimeHttpClient(this.port);
		publish("foreign-sse", 1, 2);
		String foreign = Cursor.of(Map.of("foreign-sse", "zzzz.5")).encode();
		try (SseStream sse = SseStream.open(http.http(), http.uri("sse", List.of("foreign-sse"), foreign), null)) {
			assertThat(sse.status()).isEqualTo(200);
			await().atMost(WAIT).until(() -> sse.messages().size() >= 2);
			assertResetThenMessages(sse, "foreign-sse", 1, 2);
		}
	}

	@Test
	void webSocketSinceFromAnotherBrokerLifetimeIsAnsweredWithSubscribedUnrecovered() {
		publish("foreign-ws", 1, 2);
		try (WebSocketTestClient client = WebSocketTestClient.connect(this.port, null)) {
			client.send("{\"type\":\"subscribe\",\"topic\":\"foreign-ws\",\"since\":\"zzzz.5\"}");
			await().atMost(WAIT).until(() -> client.frames("message").size() >= 2);
			assertThat(client.frames("error")).isEmpty();
			assertSubscribedUnrecoveredThenMessages(client, "foreign-ws", 1, 2);
		}
	}

	private static void assertResetThenMessages(SseStream sse, String topic, Integer... sequences) {
		List<Event> named = sse.events().stream().filter((event) -> !event.name().isEmpty()).toList();
		assertThat(named).extracting(Event::name).startsWith("ready", "reset").containsOnlyOnce("reset");
		assertThat(RealtimeHttpClient.json(named.get(1).data()).get("topics")).extracting(JsonNode::asString)
			.containsExactly(topic);
		assertThat(named.subList(2, named.size())).extracting(Event::name).containsOnly("message");
		assertThat(sse.messages()).extracting(HistoryResetIntegrationTests::sequence).startsWith(sequences);
	}

	private static void assertSubscribedUnrecoveredThenMessages(WebSocketTestClient client, String topic,
			Integer... sequences) {
		JsonNode subscribed = client.frames().get(0);
		assertThat(subscribed.get("type").asString()).isEqualTo("subscribed");
		assertThat(subscribed.get("topic").asString()).isEqualTo(topic);
		assertThat(subscribed.get("recovered").asBoolean()).isFalse();
		assertThat(client.frames("message")).extracting(HistoryResetIntegrationTests::sequence)
			.startsWith(sequences);
		assertThat(client.frames("subscribed")).hasSize(1);
	}

	private void publish(String topic, int from, int to) {
		for (int i = from; i <= to; i++) {
			this.publisher.publish(topic, Map.of("seq", i));
		}
	}

	private static int sequence(Event event) {
		return sequence(RealtimeHttpClient.json(event.data()));
	}

	private static int sequence(JsonNode envelope) {
		return envelope.get("data").get("seq").asInt();
	}

}
