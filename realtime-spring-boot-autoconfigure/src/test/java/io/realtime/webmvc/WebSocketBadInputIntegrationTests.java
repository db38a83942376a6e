package io.realtime.webmvc;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.realtime.test.RealtimeHttpClient;
import io.realtime.test.TestApplication;
import io.realtime.test.WebSocketTestClient;
import org.jspecify.annotations.Nullable;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestInstance.Lifecycle;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.web.server.context.WebServerApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The WebSocket endpoint answers every refused or malformed frame with an error frame of the
 * protocol's code and keeps the connection open, closes only for frames past the container's
 * limit, and never costs another subscriber a message. A client subscribed before the first
 * test watches every valid message published around the bad frames.
 */
@SpringBootTest(classes = TestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "realtime.max-message-size=1KB", "realtime.publish.allowed-topics=feed,chat,room/**" })
@TestInstance(Lifecycle.PER_CLASS)
class WebSocketBadInputIntegrationTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	private static final String TOPIC = "chat";

	private static final int MAX = 1024;

	private final AtomicInteger sequence = new AtomicInteger();

	@LocalServerPort
	int port;

	@Autowired
	WebServerApplicationContext context;

	private WebSocketTestClient bystander;

	/** The position the bystander subscribed at: a real message id of {@link #TOPIC}. */
	private String position;

	/** The data of every message accepted on {@link #TOPIC}, in publish order. */
	private final List<JsonNode> accepted = new CopyOnWriteArrayList<>();

	private WebSocketTestClient client;

	@BeforeAll
	void subscribeBystander() {
		this.bystander = WebSocketTestClient.connect(this.port, null);
		this.bystander.send("{\"type\":\"subscribe\",\"topic\":\"" + TOPIC + "\"}");
		waiting().until(() -> this.bystander.frames("subscribed").size() == 1);
		this.position = this.bystander.frames("subscribed").get(0).get("position").asString();
	}

	@AfterAll
	void closeBystander() {
		this.bystander.close();
	}

	@BeforeEach
	void connect() {
		this.client = WebSocketTestClient.connect(this.port, null);
		publishValid();
	}

	@AfterEach
	void bystanderReceivedEveryValidMessageInOrder() {
		publishValid();
		this.client.close();
		List<JsonNode> expected = List.copyOf(this.accepted);
		waiting().until(() -> this.bystander.frames("message").size() >= expected.size());
		assertThat(this.bystander.frames("message")).extracting((frame) -> frame.get("data"))
			.containsExactlyElementsOf(expected);
		assertThat(this.bystander.frames("error")).isEmpty();
		assertThat(this.bystander.closed()).isNotDone();
	}

	@Test
	void textThatIsNotJsonIsABadRequest() {
		for (String frame : List.of("hello", "{", "{\"type\":\"ping\"", "{\"type\":\"ping\"} x", "{'type':'ping'}",
				"", " ")) {
			assertRefused(frame, "bad_request", null, null);
			publishValid();
		}
	}

	@Test
	void jsonThatIsNotAnObjectIsABadRequest() {
		for (String frame : List.of("[]", "[{\"type\":\"ping\"}]", "\"ping\"", "42", "null", "true")) {
			assertRefused(frame, "bad_request", null, null);
			publishValid();
		}
	}

	@Test
	void frameWithoutATypeIsABadRequest() {
		assertRefused("{}", "bad_request", null, null);
		assertRefused("{\"topic\":\"chat\",\"ref\":\"r1\"}", "bad_request", "r1", "chat");
		publishValid();
		assertRefused("{\"type\":5,\"ref\":\"r2\"}", "bad_request", "r2", null);
		assertRefused("{\"type\":null,\"topic\":\"chat\"}", "bad_request", null, "chat");
		assertRefused("{\"type\":{\"name\":\"ping\"}}", "bad_request", null, null);
	}

	@Test
	void frameOfAnUnknownTypeIsABadRequest() {
		assertRefused("{\"type\":\"shout\",\"topic\":\"chat\",\"ref\":\"r1\"}", "bad_request", "r1", "chat");
		assertRefused("{\"type\":\"PING\"}", "bad_request", null, null);
		publishValid();
		assertRefused("{\"type\":\"\",\"ref\":\"r2\"}", "bad_request", "r2", null);
	}

	@Test
	void subscribingToAnInvalidTopicIsABadRequest() {
		for (String topic : List.of("a b", "a".repeat(129), "caf\u00e9", "\u65e5\u672c", "chat,feed", "")) {
			assertRefused("{\"type\":\"subscribe\",\"topic\":" + quote(topic) + ",\"ref\":\"s\"}", "bad_request", "s",
					topic);
			publishValid();
		}
		assertRefused("{\"type\":\"subscribe\"}", "bad_request", null, null);
		assertRefused("{\"type\":\"subscribe\",\"topic\":42}", "bad_request", null, null);
		assertRefused("{\"type\":\"unsubscribe\",\"topic\":\"a b\"}", "bad_request", null, "a b");
		assertThat(this.client.frames("subscribed")).isEmpty();
	}

	@Test
	void subscribingWithAMalformedSinceIsABadRequest() {
		String epoch = this.position.substring(0, this.position.lastIndexOf('.'));
		for (String since : List.of("\"not an id!\"", "42", "\"\"", "{\"id\":\"x\"}", "\"" + "a".repeat(65) + "\"",
				"\"no-dot\"", "\"" + epoch + ".x\"", "\"" + epoch + ".999999\"")) {
			assertRefused("{\"type\":\"subscribe\",\"topic\":\"chat\",\"since\":" + since + ",\"ref\":\"m\"}",
					"bad_request", "m", "chat");
			publishValid();
		}
		assertThat(this.client.frames("subscribed")).isEmpty();
		assertThat(this.client.frames("message")).isEmpty();
	}

	@Test
	void refusedResubscribeKeepsTheSubscriptionInPlace() {
		this.client.send("{\"type\":\"subscribe\",\"topic\":\"chat\"}");
		waiting().until(() -> this.client.frames("subscribed").size() == 1);
		String epoch = this.position.substring(0, this.position.lastIndexOf('.'));
		assertRefused("{\"type\":\"subscribe\",\"topic\":\"chat\",\"since\":\"" + epoch + ".999999\"}", "bad_request",
				null, "chat");
		assertRefused("{\"type\":\"subscribe\",\"topic\":\"chat\",\"since\":\"not an id!\"}", "bad_request", null,
				"chat");
		JsonNode data = publishValid();
		waiting().until(() -> this.client.frames("message").size() == 1);
		assertThat(this.client.frames("message").get(0).get("data")).isEqualTo(data);
	}

	@Test
	void publishingWithoutDataIsABadRequest() {
		int published = this.client.frames("published").size();
		assertRefused("{\"type\":\"publish\",\"topic\":\"chat\",\"ref\":\"p1\"}", "bad_request", "p1", "chat");
		publishValid();
		assertRefused("{\"type\":\"publish\",\"ref\":\"p2\",\"data\":1}", "bad_request", "p2", null);
		assertRefused("{\"type\":\"publish\",\"topic\":\"a b\",\"ref\":\"p3\",\"data\":1}", "bad_request", "p3", "a b");
		assertThat(this.client.frames("published")).hasSize(published + 1);
	}

	@Test
	void publishingToAForbiddenTopicIsForbidden() {
		for (String topic : List.of("secret", "chats", "rooms", "feed/1")) {
			assertRefused("{\"type\":\"publish\",\"topic\":\"" + topic + "\",\"data\":{\"a\":1},\"ref\":\"f\"}",
					"forbidden", "f", topic);
			publishValid();
		}
	}

	@Test
	void frameOverTheMaxMessageSizeIsTooLarge() {
		String padding = "x".repeat(MAX - publishFrame("\"\"", "big").length());
		String exactly = publishFrame("\"" + padding + "\"", "big");
		assertThat(exactly.getBytes(StandardCharsets.UTF_8)).hasSize(MAX);
		int published = this.client.frames("published").size();
		this.client.send(exactly);
		this.accepted.add(RealtimeHttpClient.json("\"" + padding + "\""));
		waiting().until(() -> this.client.frames("published").size() == published + 1);

		String oneOver = publishFrame("\"" + padding + "x\"", "big");
		assertThat(oneOver.getBytes(StandardCharsets.UTF_8)).hasSize(MAX + 1);
		assertRefused(oneOver, "too_large", "big", TOPIC);
		publishValid();
		// counted in bytes, not characters: 'é' is two bytes in UTF-8
		String multiByte = publishFrame("\"" + "\u00e9".repeat(MAX / 2) + "\"", "big");
		assertThat(multiByte.length()).isLessThan(MAX);
		assertRefused(multiByte, "too_large", "big", TOPIC);
		assertRefused(publishFrame("\"" + "x".repeat(2 * MAX) + "\"", "big"), "too_large", "big", TOPIC);
		assertRefused("x".repeat(2 * MAX), "too_large", null, null);
	}

	@Test
	void binaryFrameIsABadRequest() {
		this.client.socket()
			.sendBinary(ByteBuffer.wrap("{\"type\":\"ping\"}".getBytes(StandardCharsets.UTF_8)), true)
			.join();
		assertLastRefusal("bad_request", null, null);
		publishValid();
		this.client.socket().sendBinary(ByteBuffer.allocate(0), true).join();
		assertLastRefusal("bad_request", null, null);
	}

	@Test
	void frameFarOverTheContainerLimitClosesTheConnectionWith1009() throws Exception {
		try (WebSocketTestClient victim = WebSocketTestClient.connect(this.port, null)) {
			victim.send("{\"type\":\"ping\"}");
			waiting().until(() -> victim.frames("pong").size() == 1);
			// the send may fail once the server closes: the close code is what counts
			victim.socket().sendText(publishFrame("\"" + "x".repeat(1 << 20) + "\"", "huge"), true);
			int code = victim.closed().get(WAIT.toSeconds(), TimeUnit.SECONDS);
			if (isJetty()) {
				// Jetty closes without reading the rest of the frame: the unread bytes make the
				// server's TCP stack reset the connection, which may beat the close frame
				assertThat(code).isIn(1009, -1);
			}
			else {
				assertThat(code).isEqualTo(1009);
			}
			assertThat(victim.frames("published")).isEmpty();
		}
		publishValid();
	}

	private boolean isJetty() {
		return this.context.getWebServer().getClass().getSimpleName().startsWith("Jetty");
	}

	/** Send a frame, then a ping: the reply to the frame is the error just before the pong. */
	private void assertRefused(String frame, String code, @Nullable String ref, @Nullable String topic) {
		this.client.send(frame);
		assertLastRefusal(code, ref, topic);
	}

	private void assertLastRefusal(String code, @Nullable String ref, @Nullable String topic) {
		int pongs = this.client.frames("pong").size();
		this.client.send("{\"type\":\"ping\"}");
		waiting().until(() -> this.client.frames("pong").size() == pongs + 1);
		List<JsonNode> frames = this.client.frames();
		int pong = lastIndexOf(frames, "pong");
		assertThat(pong).isPositive();
		JsonNode error = frames.get(pong - 1);
		assertThat(error.path("type").asString()).as(error.toString()).isEqualTo("error");
		assertThat(error.path("code").asString()).as(error.toString()).isEqualTo(code);
		assertThat(error.path("message").asString()).as(error.toString()).isNotBlank();
		if (ref != null) {
			assertThat(error.path("ref").asString()).as(error.toString()).isEqualTo(ref);
		}
		else {
			assertThat(error.has("ref")).as(error.toString()).isFalse();
		}
		if (topic != null) {
			assertThat(error.path("topic").asString()).as(error.toString()).isEqualTo(topic);
		}
		else {
			assertThat(error.has("topic")).as(error.toString()).isFalse();
		}
		assertThat(this.client.closed()).isNotDone();
	}

	/** Publish a valid message through the client under test and expect the bystander to get it. */
	private JsonNode publishValid() {
		JsonNode data = RealtimeHttpClient.json("{\"n\":" + this.sequence.incrementAndGet() + "}");
		int published = this.client.frames("published").size();
		this.client.send(publishFrame(data.toString(), "ok"));
		this.accepted.add(data);
		waiting().until(() -> this.client.frames("published").size() == published + 1);
		return data;
	}

	/** Frames arrive within milliseconds: poll often rather than Awaitility's default 100 ms. */
	private static ConditionFactory waiting() {
		return await().atMost(WAIT).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(10));
	}

	private static String publishFrame(String data, String ref) {
		return "{\"type\":\"publish\",\"topic\":\"" + TOPIC + "\",\"data\":" + data + ",\"ref\":\"" + ref + "\"}";
	}

	private static int lastIndexOf(List<JsonNode> frames, String type) {
		for (int i = frames.size() - 1; i >= 0; i--) {
			if (type.equals(frames.get(i).path("type").asString())) {
				return i;
			}
		}
		return -1;
	}

	private static String quote(String text) {
		return RealtimeHttpClient.JSON.writeValueAsString(text);
	}

}
