package io.realtime.autoconfigure.redis;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.realtime.redis.RedisBroker;
import io.realtime.test.RealtimeHttpClient;
import io.realtime.test.SseStream;
import io.realtime.test.WebSocketTestClient;
import io.realtime.webmvc.RealtimePublisher;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two application instances on one Redis, as behind a load balancer without sticky sessions:
 * whatever instance a client reaches, it gets every message once, in order, and an instance
 * hears only the topics its clients subscribe to. Run on a standalone Redis and on a Redis
 * Cluster by the subclasses.
 */
@Tag("redis")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AbstractTwoInstancesIntegrationTests {

	private static final Duration WAIT = Duration.ofSeconds(20);

	private AppInstance a;

	private AppInstance b;

	private final String topic = "two:" + UUID.randomUUID();

	/** The {@code spring.data.redis.*} properties of the Redis both instances share. */
	abstract String[] redisProperties();

	@BeforeAll
	void start() {
		// the HTTP smoke test publishes faster than one client may
		String[] properties = Stream.concat(Arrays.stream(redisProperties()), Stream.of("realtime.limits.enabled=false"))
			.toArray(String[]::new);
		this.a = AppInstance.start(properties);
		this.b = AppInstance.start(properties);
	}

	@AfterAll
	void stop() {
		this.a.close();
		this.b.close();
	}

	/** One of the instances. */
	AppInstance instance() {
		return this.a;
	}

	@Test
	void messagePublishedOnOneInstanceReachesSubscribersOnTheOtherOverEveryTransport() throws Exception {
		RealtimeHttpClient onB = this.b.http();
		String pollCursor = onB.poll("poll", List.of(this.topic), null).get("cursor").asString();
		CompletableFuture<HttpResponse<String>> longPoll = onB.http()
			.sendAsync(java.net.http.HttpRequest.newBuilder(onB.uri("long-poll", List.of(this.topic), pollCursor))
				.timeout(Duration.ofSeconds(30))
				.build(), HttpResponse.BodyHandlers.ofString());
		try (SseStream sse = SseStream.open(onB.http(), onB.uri("sse", List.of(this.topic), null), null);
				WebSocketTestClient ws = WebSocketTestClient.connect(this.b.port(), null)) {
			ws.send("{\"type\":\"subscribe\",\"topic\":\"" + this.topic + "\"}");
			await().atMost(WAIT).until(() -> !ws.frames("subscribed").isEmpty() && !sse.events().isEmpty()
					&& this.b.bean(RedisBroker.class).subscriptionCount() >= 3);

			String id = this.a.http().publishJson(this.topic, "{\"text\":\"from A\"}");

			await().atMost(WAIT).untilAsserted(() -> assertThat(sse.messages()).singleElement()
				.satisfies((event) -> assertThat(RealtimeHttpClient.json(event.data()).get("id").asString())
					.isEqualTo(id)));
			await().atMost(WAIT).untilAsserted(() -> assertThat(ws.frames("message")).singleElement()
				.satisfies((frame) -> assertThat(frame.get("data").get("text").asString()).isEqualTo("from A")));
			JsonNode waited = RealtimeHttpClient.json(longPoll.get(WAIT.toSeconds(), TimeUnit.SECONDS).body());
			assertThat(waited.get("messages")).singleElement()
				.satisfies((message) -> assertThat(message.get("id").asString()).isEqualTo(id));
			JsonNode polled = onB.poll("poll", List.of(this.topic), pollCursor);
			assertThat(polled.get("messages")).singleElement()
				.satisfies((message) -> assertThat(message.get("id").asString()).isEqualTo(id));
			assertThat(polled.get("recovered").asBoolean()).isTrue();
		}
	}

	@Test
	void rewindOnOneInstanceReturnsTheNewestMessagesPublishedOnTheOtherThenLiveOnesOverEveryTransport() {
		String topic = "two-rewind:" + UUID.randomUUID();
		RealtimePublisher onA = this.a.bean(RealtimePublisher.class);
		for (int i = 1; i <= 5; i++) {
			onA.publish(topic, i);
		}
		RealtimeHttpClient onB = this.b.http();
		for (String endpoint : List.of("poll", "long-poll")) {
			HttpResponse<String> response = onB.send(java.net.http.HttpRequest
				.newBuilder(java.net.URI.create(onB.uri(endpoint, List.of(topic), null) + "&rewind=3"))
				.timeout(WAIT)
				.build());
			assertThat(response.statusCode()).isEqualTo(200);
			assertThat(RealtimeHttpClient.json(response).get("messages")).as(endpoint)
				.extracting((message) -> message.get("data").asInt())
				.containsExactly(3, 4, 5);
		}
		try (SseStream sse = SseStream.open(onB.http(),
				java.net.URI.create(onB.uri("sse", List.of(topic), null) + "&rewind=3"), null);
				WebSocketTestClient ws = WebSocketTestClient.connect(this.b.port(), null)) {
			ws.send("{\"type\":\"subscribe\",\"topic\":\"" + topic + "\",\"rewind\":3}");
			await().atMost(WAIT).until(() -> sse.messages().size() >= 3 && ws.frames("message").size() >= 3);
			onA.publish(topic, 6);
			await().atMost(WAIT).untilAsserted(() -> {
				assertThat(sse.messages())
					.extracting((event) -> RealtimeHttpClient.json(event.data()).get("data").asInt())
					.containsExactly(3, 4, 5, 6);
				assertThat(ws.frames("message")).extracting((frame) -> frame.get("data").asInt())
					.containsExactly(3, 4, 5, 6);
			});
		}
	}

	@Test
	void onlyTheInstanceWithSubscribersOnATopicHearsIt() {
		String other = "two-other:" + UUID.randomUUID();
		RedisBroker onA = this.a.bean(RedisBroker.class);
		RedisBroker onB = this.b.bean(RedisBroker.class);
		try (SseStream sse = SseStream.open(this.b.http().http(), this.b.http().uri("sse", List.of(this.topic), null),
				null)) {
			await().atMost(WAIT).until(() -> !sse.events().isEmpty());
			long heardOnA = onA.notificationCount();
			long heardOnB = onB.notificationCount();
			int count = 100;
			RealtimePublisher publisher = this.a.bean(RealtimePublisher.class);
			for (int i = 0; i < count; i++) {
				publisher.publish(this.topic, i);
				publisher.publish(other, i);
			}
			await().atMost(WAIT).until(() -> sse.messages().size() == count);
			// one more, the last to arrive had the instances heard the other topic too
			publisher.publish(other, "last");
			String last = this.a.http().publishJson(this.topic, "\"last\"");
			await().atMost(WAIT).until(() -> sse.messages().size() == count + 1
					&& RealtimeHttpClient.json(sse.messages().get(count).data()).get("id").asString().equals(last));
			// B heard its client's topic (what it read from the stream instead it did not hear), A nothing
			assertThat(onA.notificationCount() - heardOnA).isZero();
			assertThat(onB.notificationCount() - heardOnB).isBetween(1L, count + 1L);
		}
	}

	@Test
	void longPollClientAlternatingBetweenInstancesGetsEveryMessageOnceInOrder() throws Exception {
		int count = 1000;
		ExecutorService publisher = Executors.newSingleThreadExecutor();
		try {
			String cursor = this.a.http().poll("poll", List.of(this.topic), null).get("cursor").asString();
			Future<?> publishing = publisher.submit(() -> {
				RealtimePublisher onA = this.a.bean(RealtimePublisher.class);
				RealtimePublisher onB = this.b.bean(RealtimePublisher.class);
				for (int i = 0; i < count; i++) {
					((i % 2 == 0) ? onA : onB).publish(this.topic, i);
				}
			});
			List<Integer> received = new ArrayList<>();
			long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
			for (int request = 0; received.size() < count && System.nanoTime() < deadline; request++) {
				AppInstance instance = (request % 2 == 0) ? this.a : this.b;
				JsonNode reply = instance.http().poll("long-poll", List.of(this.topic), cursor);
				assertThat(reply.get("recovered").asBoolean()).as("recovered").isTrue();
				reply.get("messages").forEach((message) -> received.add(message.get("data").asInt()));
				cursor = reply.get("cursor").asString();
			}
			publishing.get(WAIT.toSeconds(), TimeUnit.SECONDS);
			assertThat(received).hasSize(count);
			for (int i = 0; i < count; i++) {
				assertThat(received.get(i)).as("message %d", i).isEqualTo(i);
			}
		}
		finally {
			publisher.shutdownNow();
		}
	}

	@Test
	void sseClientResumesOnTheOtherInstanceWithTheLastEventIdItGot() throws Exception {
		String lastEventId;
		try (SseStream onA = SseStream.open(this.a.http().http(), this.a.http().uri("sse", List.of(this.topic), null),
				null)) {
			await().atMost(WAIT).until(() -> !onA.events().isEmpty());
			for (int i = 0; i < 3; i++) {
				this.a.http().publishJson(this.topic, Integer.toString(i));
			}
			await().atMost(WAIT).until(() -> onA.messages().size() == 3);
			lastEventId = onA.messages().get(2).id();
		}
		// published while the client is away, on both instances
		this.b.http().publishJson(this.topic, "3");
		this.a.http().publishJson(this.topic, "4");
		try (SseStream onB = SseStream.open(this.b.http().http(), this.b.http().uri("sse", List.of(this.topic), null),
				lastEventId)) {
			this.b.http().publishJson(this.topic, "5");
			await().atMost(WAIT).untilAsserted(() -> assertThat(onB.messages())
				.extracting((event) -> RealtimeHttpClient.json(event.data()).get("data").asInt())
				.containsExactly(3, 4, 5));
			assertThat(onB.events()).noneMatch((event) -> "reset".equals(event.name()));
		}
	}

	@Test
	void webSocketClientResumesOnTheOtherInstanceSinceTheLastMessageItGot() {
		String since;
		try (WebSocketTestClient onA = WebSocketTestClient.connect(this.a.port(), null)) {
			onA.send("{\"type\":\"subscribe\",\"topic\":\"" + this.topic + "\"}");
			await().atMost(WAIT).until(() -> !onA.frames("subscribed").isEmpty());
			for (int i = 0; i < 3; i++) {
				this.a.http().publishJson(this.topic, Integer.toString(i));
			}
			await().atMost(WAIT).until(() -> onA.frames("message").size() == 3);
			since = onA.frames("message").get(2).get("id").asString();
		}
		// published while the client is away, on both instances
		this.b.http().publishJson(this.topic, "3");
		this.a.http().publishJson(this.topic, "4");
		try (WebSocketTestClient onB = WebSocketTestClient.connect(this.b.port(), null)) {
			onB.send("{\"type\":\"subscribe\",\"topic\":\"" + this.topic + "\",\"since\":\"" + since + "\"}");
			await().atMost(WAIT).until(() -> !onB.frames("subscribed").isEmpty());
			assertThat(onB.frames("subscribed").get(0).get("recovered").asBoolean()).isTrue();
			this.b.http().publishJson(this.topic, "5");
			await().atMost(WAIT).untilAsserted(() -> assertThat(onB.frames("message"))
				.extracting((frame) -> frame.get("data").asInt())
				.containsExactly(3, 4, 5));
		}
	}

	/**
	 * A smoke test of HTTP publishing, without timing: many concurrent {@code POST /publish}
	 * on both instances, each answered asynchronously once Redis has the message. Every publish
	 * is accepted once, with the id history holds, and each client's publishes of a topic are
	 * in history in the order it sent them.
	 */
	@Test
	void concurrentHttpPublishesOnBothInstancesAreAllInHistoryOnceInEachClientsOrder() throws Exception {
		int clients = 16;
		int perClient = 40;
		List<String> topics = List.of(this.topic + "/1", this.topic + "/2");
		List<String> cursors = new ArrayList<>();
		for (String topic : topics) {
			cursors.add(this.a.http().poll("poll", List.of(topic), null).get("cursor").asString());
		}
		ExecutorService pool = Executors.newFixedThreadPool(clients);
		try {
			List<Future<List<String>>> sent = new ArrayList<>();
			for (int c = 0; c < clients; c++) {
				int client = c;
				RealtimeHttpClient http = ((client % 2 == 0) ? this.a : this.b).http();
				sent.add(pool.submit(() -> {
					List<String> ids = new ArrayList<>();
					for (int i = 0; i < perClient; i++) {
						ids.add(topics.get(i % 2) + " " + http.publishJson(topics.get(i % 2),
								"{\"client\":" + client + ",\"n\":" + i + "}"));
					}
					return ids;
				}));
			}
			List<List<String>> accepted = new ArrayList<>();
			for (Future<List<String>> client : sent) {
				accepted.add(client.get(WAIT.toSeconds(), TimeUnit.SECONDS));
			}
			for (int t = 0; t < topics.size(); t++) {
				String topic = topics.get(t);
				List<JsonNode> history = new ArrayList<>();
				String cursor = cursors.get(t);
				for (JsonNode page = this.b.http().poll("poll", List.of(topic), cursor); !page.get("messages").isEmpty();
						page = this.b.http().poll("poll", List.of(topic), cursor)) {
					assertThat(page.get("recovered").asBoolean()).isTrue();
					page.get("messages").forEach(history::add);
					cursor = page.get("cursor").asString();
				}
				assertThat(history).hasSize(clients * perClient / 2);
				for (int c = 0; c < clients; c++) {
					int client = c;
					List<String> inHistory = history.stream()
						.filter((message) -> message.get("data").get("client").asInt() == client)
						.map((message) -> topic + " " + message.get("id").asString())
						.toList();
					assertThat(inHistory).as("client %d on %s", c, topic)
						.containsExactlyElementsOf(
								accepted.get(c).stream().filter((id) -> id.startsWith(topic + " ")).toList());
				}
			}
		}
		finally {
			pool.shutdownNow();
		}
	}

}
