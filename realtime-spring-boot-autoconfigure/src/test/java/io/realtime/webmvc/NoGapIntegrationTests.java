package io.realtime.webmvc;

import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import io.realtime.test.RawWebSocket;
import io.realtime.test.RealtimeHttpClient;
import io.realtime.test.SseStream;
import io.realtime.test.SseStream.Event;
import io.realtime.test.TestApplication;
import io.realtime.test.WebSocketTestClient;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A client that resumes from the cursor, {@code Last-Event-ID} or {@code since} it was last
 * handed receives every message exactly once and in order, however the publishing and the
 * reconnects interleave: 1,000 messages published as fast as server code can, on every
 * transport.
 */
@SpringBootTest(classes = TestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "realtime.history.size=5000", "realtime.poll.max-batch=50", "realtime.long-poll.timeout=5s" })
class NoGapIntegrationTests {

	private static final int COUNT = 1000;

	private static final int MAX_BATCH = 50;

	private static final Duration WAIT = Duration.ofSeconds(20);

	private static final List<Integer> ALL = IntStream.rangeClosed(1, COUNT).boxed().toList();

	@LocalServerPort
	int port;

	@Autowired
	RealtimePublisher publisher;

	@Autowired
	ConnectionRegistry registry;

	@Test
	void longPollLoopingOnItsCursorReceivesEveryMessageOnceInOrderInBatches() throws Exception {
		RealtimeHttpClient http = new RealtimeHttpClient(this.port);
		List<String> topics = List.of("nogap-long-poll");
		// the first request has no cursor: it starts now, so publishing waits until it is held open
		CompletableFuture<JsonNode> first = CompletableFuture.supplyAsync(() -> http.poll("long-poll", topics, null));
		await().atMost(WAIT).until(() -> this.registry.count("long-poll") == 1);
		CompletableFuture<Void> publishing = publishInBackground("nogap-long-poll");

		List<Integer> received = new ArrayList<>();
		List<Integer> batchSizes = new ArrayList<>();
		JsonNode reply = first.get(WAIT.toSeconds(), TimeUnit.SECONDS);
		long deadline = System.nanoTime() + WAIT.toNanos();
		while (true) {
			assertThat(reply.get("recovered").asBoolean()).isTrue();
			batchSizes.add(reply.get("messages").size());
			reply.get("messages").forEach((message) -> received.add(sequence(message)));
			if (received.size() >= COUNT || System.nanoTime() > deadline) {
				break;
			}
			reply = http.poll("long-poll", topics, reply.get("cursor").asString());
		}
		publishing.get(WAIT.toSeconds(), TimeUnit.SECONDS);

		assertThat(received).containsExactlyElementsOf(ALL);
		assertThat(batchSizes).allSatisfy((size) -> assertThat(size).isBetween(1, MAX_BATCH)).contains(MAX_BATCH);
		JsonNode after = http.poll("poll", topics, reply.get("cursor").asString());
		assertThat(after.get("messages")).isEmpty();
		assertThat(after.get("recovered").asBoolean()).isTrue();
	}

	@Test
	void sseStreamCutMidwayResumesWithLastEventIdAndThenWithCursorParameter() throws Exception {
		RealtimeHttpClient http = new RealtimeHttpClient(this.port);
		List<String> topics = List.of("nogap-sse");
		List<Integer> received = new ArrayList<>();

		SseStream first = SseStream.open(http.http(), HttpRequest.newBuilder(http.uri("sse", topics, null)), 300);
		await().atMost(WAIT).until(() -> lastEventId(first) != null);
		CompletableFuture<Void> publishing = publishInBackground("nogap-sse");
		String resumeFrom = readUntilDropped(first, received);

		HttpRequest.Builder resume = HttpRequest.newBuilder(http.uri("sse", topics, null))
			.header("Last-Event-ID", resumeFrom);
		SseStream second = SseStream.open(http.http(), resume, 300);
		assertThat(second.status()).isEqualTo(200);
		resumeFrom = readUntilDropped(second, received);

		try (SseStream third = SseStream.open(http.http(), http.uri("sse", topics, resumeFrom), null)) {
			assertThat(third.status()).isEqualTo(200);
			await().atMost(WAIT).until(() -> third.messages().size() >= 400);
			third.messages().forEach((event) -> received.add(sequence(event)));
			assertThat(third.events()).noneMatch((event) -> "reset".equals(event.name()));
		}
		publishing.get(WAIT.toSeconds(), TimeUnit.SECONDS);
		assertThat(received).containsExactlyElementsOf(ALL);
	}

	@Test
	void webSocketThatDisconnectsMidStreamResumesOnANewConnectionWithSince() throws Exception {
		List<Integer> received = new ArrayList<>();
		String since = null;
		CompletableFuture<Void> publishing;
		// a client on a bare socket reads exactly as far as it wants, then its connection drops
		try (RawWebSocket first = RawWebSocket.connect(this.port, 64 * 1024)) {
			first.sendText("{\"type\":\"subscribe\",\"topic\":\"nogap-ws\"}");
			assertThat(RealtimeHttpClient.json(first.readText()).get("type").asString()).isEqualTo("subscribed");
			publishing = publishInBackground("nogap-ws");
			for (int i = 0; i < 300; i++) {
				JsonNode frame = RealtimeHttpClient.json(first.readText());
				received.add(sequence(frame));
				since = frame.get("id").asString();
			}
		}
		try (WebSocketTestClient second = WebSocketTestClient.connect(this.port, null)) {
			second.send("{\"type\":\"subscribe\",\"topic\":\"nogap-ws\",\"since\":\"" + since + "\"}");
			await().atMost(WAIT).until(() -> second.frames("message").size() >= 700);
			JsonNode subscribed = second.frames().get(0);
			assertThat(subscribed.get("type").asString()).isEqualTo("subscribed");
			assertThat(subscribed.get("recovered").asBoolean()).isTrue();
			assertThat(subscribed.get("position").asString()).isEqualTo(since);
			second.frames("message").forEach((frame) -> received.add(sequence(frame)));
		}
		publishing.get(WAIT.toSeconds(), TimeUnit.SECONDS);
		assertThat(received).containsExactlyElementsOf(ALL);
	}

	@Test
	void webSocketOnAQuietTopicResumesFromThePositionOfItsSubscribedFrame() {
		String position;
		try (WebSocketTestClient first = WebSocketTestClient.connect(this.port, null)) {
			first.send("{\"type\":\"subscribe\",\"topic\":\"nogap-quiet-ws\"}");
			await().atMost(WAIT).until(() -> first.frames("subscribed").size() == 1);
			position = first.frames("subscribed").get(0).get("position").asString();
		}
		for (int i = 1; i <= 3; i++) {
			this.publisher.publish("nogap-quiet-ws", Map.of("seq", i));
		}
		try (WebSocketTestClient second = WebSocketTestClient.connect(this.port, null)) {
			second.send("{\"type\":\"subscribe\",\"topic\":\"nogap-quiet-ws\",\"since\":\"" + position + "\"}");
			await().atMost(WAIT).until(() -> second.frames("message").size() >= 3);
			assertThat(second.frames("subscribed")).singleElement()
				.satisfies((frame) -> assertThat(frame.get("recovered").asBoolean()).isTrue());
			assertThat(second.frames("message")).extracting(NoGapIntegrationTests::sequence).containsExactly(1, 2, 3);
		}
	}

	@Test
	void sseReadyEventCarriesACursorThatResumesAReconnectBeforeTheFirstMessage() {
		RealtimeHttpClient http = new RealtimeHttpClient(this.port);
		List<String> topics = List.of("nogap-quiet-sse");
		Event ready;
		try (SseStream first = SseStream.open(http.http(), http.uri("sse", topics, null), null)) {
			await().atMost(WAIT).until(() -> lastEventId(first) != null);
			// a block with only retry: is not an event a browser dispatches
			ready = first.events().stream().filter((event) -> !event.data().isEmpty()).findFirst().orElseThrow();
		}
		assertThat(ready.name()).isEqualTo("ready");
		assertThat(ready.id()).isNotBlank();
		assertThat(RealtimeHttpClient.json(ready.data()).get("topics")).extracting(JsonNode::asString)
			.containsExactly("nogap-quiet-sse");
		for (int i = 1; i <= 3; i++) {
			this.publisher.publish("nogap-quiet-sse", Map.of("seq", i));
		}
		try (SseStream second = SseStream.open(http.http(), http.uri("sse", topics, null), ready.id())) {
			await().atMost(WAIT).until(() -> second.messages().size() >= 3);
			assertThat(second.messages()).extracting(NoGapIntegrationTests::sequence).containsExactly(1, 2, 3);
			assertThat(second.events()).noneMatch((event) -> "reset".equals(event.name()));
		}
	}

	/**
	 * Wait for a stream to drop its connection and return the id a browser would send on
	 * reconnect: the last one it saw.
	 */
	private static String readUntilDropped(SseStream stream, List<Integer> received) {
		await().atMost(WAIT).until(stream::ended);
		assertThat(stream.messages()).hasSize(300);
		stream.messages().forEach((event) -> received.add(sequence(event)));
		String id = lastEventId(stream);
		assertThat(id).isNotNull();
		return id;
	}

	private static @Nullable String lastEventId(SseStream stream) {
		String id = null;
		for (Event event : stream.events()) {
			id = (event.id() != null) ? event.id() : id;
		}
		return id;
	}

	private CompletableFuture<Void> publishInBackground(String topic) {
		return CompletableFuture.runAsync(() -> {
			for (int i = 1; i <= COUNT; i++) {
				this.publisher.publish(topic, Map.of("seq", i));
			}
		}, (task) -> new Thread(task, "publisher-" + topic).start());
	}

	private static int sequence(Event event) {
		return sequence(RealtimeHttpClient.json(event.data()));
	}

	private static int sequence(JsonNode envelope) {
		return envelope.get("data").get("seq").asInt();
	}

}
