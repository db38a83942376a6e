package io.realtime.webmvc;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;

import io.realtime.core.InMemoryBroker;
import io.realtime.test.RealtimeHttpClient;
import io.realtime.test.TestApplication;
import io.realtime.test.WebSocketTestClient;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.annotation.DirtiesContext.ClassMode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Clients that invent topics or flood history cannot grow the server's memory: reads of unknown
 * topics leave nothing behind, topics past the limit are refused with a 503 problem, history
 * stays under its total, and a bystander subscriber receives every message of its topic, in
 * order, all along.
 */
@SpringBootTest(classes = TestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "realtime.max-topics=40", "realtime.history.max-bytes=1MB",
				"realtime.publish.allowed-topics=news/**", "realtime.long-poll.timeout=10s" })
// each test starts with no topic: one fills the broker up to its limit
@DirtiesContext(classMode = ClassMode.AFTER_EACH_TEST_METHOD)
class MemoryLimitsIntegrationTests {

	private static final Duration WAIT = Duration.ofSeconds(20);

	private static final long MAX_HISTORY_BYTES = 1024 * 1024;

	@LocalServerPort
	int port;

	@Autowired
	RealtimePublisher publisher;

	@Autowired
	InMemoryBroker broker;

	@Test
	void topicFloodLeavesNothingBehindAndIsRefusedPastTheLimit() {
		RealtimeHttpClient http = new RealtimeHttpClient(this.port);
		try (WebSocketTestClient bystander = subscribe("bystander/topics")) {
			List<String> sent = new ArrayList<>();
			for (int round = 0; round < 100; round++) {
				// polls of 100 new topic names each: answered, and nothing is kept for them
				JsonNode reply = http.poll("poll", topics("poll-" + round + "-", 100), null);
				assertThat(reply.get("messages")).isEmpty();
				sent.add(this.publisher.publish("bystander/topics", "m" + round).id());
			}
			assertThat(this.broker.topicCount()).isOne();

			// a long poll holds its topics while it waits: 100 new ones are more than the limit
			HttpResponse<String> refused = http.get("long-poll", topics("wait-", 100), null);
			assertProblem(refused, 503, "too many topics (40), try again later");
			for (int i = 0; i < 100; i++) {
				HttpResponse<String> published = http.publish("news/flood-" + i, "application/json", "1");
				assertThat(published.statusCode()).isIn(202, 503);
				if (published.statusCode() == 503) {
					assertProblem(published, 503, "too many topics (40), try again later");
				}
				sent.add(this.publisher.publish("bystander/topics", "n" + i).id());
			}
			assertThat(this.broker.topicCount()).isEqualTo(40);
			// a stream taken over from its request (Tomcat's fast path) is refused before that
			HttpResponse<String> stream = http.send(HttpRequest.newBuilder(http.uri("sse", List.of("sse-new"), null))
				.header("Accept", "text/event-stream")
				.build());
			assertProblem(stream, 503, "too many topics (40), try again later");
			// server code keeps publishing to the topics that exist
			assertThat(http.publish("news/flood-0", "application/json", "2").statusCode()).isEqualTo(202);

			await().atMost(WAIT).until(() -> bystander.frames("message").size() >= sent.size());
			assertThat(bystander.frames("message")).extracting((frame) -> frame.get("id").asString())
				.containsExactlyElementsOf(sent);
		}
	}

	@Test
	void publishFloodKeepsHistoryUnderItsTotalAndResumesSayWhatWasLost() throws Exception {
		RealtimeHttpClient http = new RealtimeHttpClient(this.port);
		String body = "x".repeat(64 * 1024 - 16);
		String start = http.poll("poll", List.of("news/0"), null).get("cursor").asString();
		ExecutorService flooders = Executors.newFixedThreadPool(4);
		try (WebSocketTestClient bystander = subscribe("bystander/history")) {
			List<Future<?>> floods = new ArrayList<>();
			for (int f = 0; f < 4; f++) {
				floods.add(flooders.submit(() -> IntStream.range(0, 40).forEach((i) -> assertThat(
						http.publish("news/" + (i % 20), "text/plain", body).statusCode()).isEqualTo(202))));
			}
			List<String> sent = new ArrayList<>();
			for (int i = 0; i < 100; i++) {
				sent.add(this.publisher.publish("bystander/history", i).id());
			}
			for (Future<?> flood : floods) {
				flood.get();
			}
			// 160 messages of 64 KB went through a history of 1 MB
			assertThat(this.broker.historyBytes()).isLessThanOrEqualTo(MAX_HISTORY_BYTES + 4 * 64 * 1024);

			JsonNode resumed = http.poll("poll", List.of("news/0"), start);
			assertThat(resumed.get("recovered").asBoolean()).isFalse();
			assertThat(resumed.get("reset")).extracting(JsonNode::asString).containsExactly("news/0");
			await().atMost(WAIT).until(() -> bystander.frames("message").size() >= sent.size());
			assertThat(bystander.frames("message")).extracting((frame) -> frame.get("id").asString())
				.containsExactlyElementsOf(sent);
		}
		finally {
			flooders.shutdownNow();
		}
	}

	private WebSocketTestClient subscribe(String topic) {
		WebSocketTestClient client = WebSocketTestClient.connect(this.port, null);
		client.send("{\"type\":\"subscribe\",\"topic\":\"" + topic + "\"}");
		await().atMost(WAIT).until(() -> !client.frames("subscribed").isEmpty());
		return client;
	}

	private static List<String> topics(String prefix, int count) {
		return IntStream.range(0, count).mapToObj((i) -> prefix + i).toList();
	}

	private static void assertProblem(HttpResponse<String> response, int status, String detail) {
		assertThat(response.statusCode()).isEqualTo(status);
		assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
		assertThat(RealtimeHttpClient.json(response).get("detail").asString()).isEqualTo(detail);
	}

}
