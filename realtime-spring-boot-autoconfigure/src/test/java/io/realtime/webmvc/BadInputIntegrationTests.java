package io.realtime.webmvc;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.realtime.test.RealtimeHttpClient;
import io.realtime.test.SseStream;
import io.realtime.test.TestApplication;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestInstance.Lifecycle;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.StringNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Every HTTP endpoint refuses bad input with the protocol's status and a problem body, in the
 * protocol's order of checks, and no bad request costs a well-behaved subscriber a message. An
 * SSE stream opened before the first test watches every valid message published around the bad
 * requests.
 */
@SpringBootTest(classes = TestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "realtime.max-message-size=1KB", "realtime.publish.allowed-topics=feed,chat,room/**" })
@TestInstance(Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BadInputIntegrationTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	private static final String TOPIC = "feed";

	private static final List<String> SUBSCRIBE_ENDPOINTS = List.of("poll", "long-poll", "sse");

	private static final List<String> INVALID_TOPICS = List.of("a b", "a".repeat(129), "caf\u00e9", "\u65e5\u672c",
			"feed?", "feed#1", "feed,chat");

	private static final int MAX = 1024;

	@LocalServerPort
	int port;

	@Autowired
	ConnectionRegistry connections;

	private RealtimeHttpClient http;

	private SseStream bystander;

	private String bystanderPollCursor;

	/** The data of every message accepted on {@link #TOPIC}, in publish order. */
	private final List<JsonNode> accepted = new CopyOnWriteArrayList<>();

	@BeforeAll
	void openBystander() {
		this.http = new RealtimeHttpClient(this.port);
		this.bystander = SseStream.open(this.http.http(), this.http.uri("sse", List.of(TOPIC), null), null);
		assertThat(this.bystander.status()).isEqualTo(200);
		await().atMost(WAIT).until(() -> !events(this.bystander, "ready").isEmpty());
		this.bystanderPollCursor = this.http.poll("poll", List.of(TOPIC), null).get("cursor").asString();
	}

	@AfterAll
	void closeBystander() {
		this.bystander.close();
	}

	@Test
	void missingTopicIsABadRequestOnEveryEndpoint() {
		publishValid("before missing topic");
		for (String endpoint : SUBSCRIBE_ENDPOINTS) {
			assertProblem(get(endpoint, ""), 400, "topic");
			assertProblem(get(endpoint, "topic="), 400, "topic");
			assertProblem(get(endpoint, "cursor=" + this.bystanderPollCursor), 400, "topic");
		}
		assertProblem(post("", "application/json", json("{\"a\":1}")), 400, "topic");
		assertProblem(post("topic=", "application/json", json("{\"a\":1}")), 400, "topic");
		publishValid("after missing topic");
	}

	@Test
	void invalidTopicIsABadRequestOnEveryEndpoint() {
		publishValid("before invalid topic");
		for (String topic : INVALID_TOPICS) {
			for (String endpoint : SUBSCRIBE_ENDPOINTS) {
				assertProblem(get(endpoint, "topic=" + encode(topic)), 400, "topic");
				// one bad topic spoils the request even next to a good one
				assertProblem(get(endpoint, "topic=" + TOPIC + "&topic=" + encode(topic)), 400, "topic");
			}
			assertProblem(post("topic=" + encode(topic), "application/json", json("{\"a\":1}")), 400, "topic");
		}
		publishValid("after invalid topic");
	}

	@Test
	void longestValidTopicIsAccepted() {
		// a message after the cursor lets the long poll answer at once
		publishValid("before longest");
		String longest = "a".repeat(128);
		for (String endpoint : List.of("poll", "long-poll")) {
			HttpResponse<String> response = get(endpoint, "topic=" + longest + "&topic=" + TOPIC
					+ "&cursor=" + this.bystanderPollCursor);
			assertThat(response.statusCode()).as(endpoint).isEqualTo(200);
		}
		assertThat(post("topic=" + longest, "application/json", json("1")).statusCode()).isEqualTo(403);
	}

	@Test
	void malformedCursorIsABadRequestOnEveryEndpoint() {
		publishValid("before malformed cursor");
		String real = this.http.poll("poll", List.of(TOPIC), null).get("cursor").asString();
		String decoded = new String(Base64.getUrlDecoder().decode(real), StandardCharsets.UTF_8);
		assertThat(decoded).startsWith("1;" + TOPIC + "=");
		String id = decoded.substring(decoded.indexOf('=') + 1);
		String epoch = id.substring(0, id.lastIndexOf('.'));
		List<String> malformed = List.of("not base64!", "%%%", "AAAA", base64("hello, world"),
				base64("2;" + TOPIC + "=" + id), base64("1;bad topic=" + id), base64("1;" + TOPIC + "=not an id!"),
				base64("1;" + TOPIC + "="), base64("1;" + TOPIC + "=" + id + ";" + TOPIC + "=" + id),
				base64("1;" + TOPIC + "=" + epoch + ".999999"));
		for (String cursor : malformed) {
			for (String endpoint : SUBSCRIBE_ENDPOINTS) {
				assertProblem(get(endpoint, "topic=" + TOPIC + "&cursor=" + encode(cursor)), 400, null);
			}
			// an SSE reconnect hands the cursor back in Last-Event-ID
			HttpResponse<String> reconnect = this.http.send(HttpRequest.newBuilder(uri("sse", "topic=" + TOPIC))
				.header("Accept", "text/event-stream")
				.header("Last-Event-ID", cursor)
				.GET()
				.build());
			assertProblem(reconnect, 400, null);
		}
		// a refused request holds no connection: only the bystander's stream is open
		await().atMost(WAIT).untilAsserted(() -> {
			assertThat(this.connections.count("sse")).isEqualTo(1);
			assertThat(this.connections.count("long-poll")).isZero();
		});
		publishValid("after malformed cursor");
	}

	@Test
	void publishingToATopicNotAllowedIsForbidden() {
		publishValid("before forbidden");
		for (String topic : List.of("secret", "feeds", "rooms", "chat/1")) {
			assertProblem(post("topic=" + encode(topic), "application/json", json("{\"a\":1}")), 403, topic);
			assertProblem(post("topic=" + encode(topic), "text/plain", json("hello")), 403, topic);
		}
		publishValid("after forbidden");
	}

	@Test
	void bodyOfExactlyTheMaxMessageSizeIsAccepted() {
		publishValid("before largest");
		String largest = "\"" + "x".repeat(MAX - 2) + "\"";
		assertThat(largest.getBytes(StandardCharsets.UTF_8)).hasSize(MAX);
		assertAccepted(post("topic=" + TOPIC, "application/json", json(largest)), StringNode.valueOf("x".repeat(MAX - 2)));
		assertAccepted(post("topic=" + TOPIC, "application/json", chunked(largest)),
				StringNode.valueOf("x".repeat(MAX - 2)));
		String text = "y".repeat(MAX);
		assertAccepted(post("topic=" + TOPIC, "text/plain", json(text)), StringNode.valueOf(text));
		assertAccepted(post("topic=" + TOPIC, "text/plain", chunked(text)), StringNode.valueOf(text));
		publishValid("after largest");
	}

	@Test
	void bodyOneByteOverTheMaxMessageSizeIsTooLarge() {
		publishValid("before too large");
		String json = "\"" + "x".repeat(MAX - 1) + "\"";
		assertThat(json.getBytes(StandardCharsets.UTF_8)).hasSize(MAX + 1);
		assertProblem(post("topic=" + TOPIC, "application/json", json(json)), 413, "1024");
		assertProblem(post("topic=" + TOPIC, "application/json", chunked(json)), 413, "1024");
		assertProblem(post("topic=" + TOPIC, "text/plain", json("y".repeat(MAX + 1))), 413, "1024");
		assertProblem(post("topic=" + TOPIC, "text/plain", chunked("y".repeat(MAX + 1))), 413, "1024");
		assertProblem(post("topic=" + TOPIC, "application/json", chunked("\"" + "x".repeat(64 * MAX) + "\"")), 413,
				"1024");
		publishValid("after too large");
	}

	@Test
	void sizeCountsBytesOfTheBodyNotCharacters() {
		publishValid("before multi-byte");
		// 'é' is two bytes in UTF-8
		String fits = "\u00e9".repeat(MAX / 2);
		assertAccepted(post("topic=" + TOPIC, "text/plain;charset=UTF-8", json(fits)), StringNode.valueOf(fits));
		String over = "\u00e9".repeat(MAX / 2 + 1);
		assertProblem(post("topic=" + TOPIC, "text/plain;charset=UTF-8", json(over)), 413, "1024");
		assertProblem(post("topic=" + TOPIC, "text/plain;charset=UTF-8", chunked(over)), 413, "1024");
		publishValid("after multi-byte");
	}

	@Test
	void unsupportedMediaTypeIsRefused() {
		publishValid("before media type");
		String topic = "topic=" + TOPIC;
		assertProblem(post(topic, "application/xml", json("<a>1</a>")), 415, null);
		assertProblem(post(topic, "application/xml", json("{\"a\":1}")), 415, null);
		assertProblem(post(topic, null, json("{\"a\":1}")), 415, null);
		assertProblem(post(topic, "application/x-www-form-urlencoded", json("a=1")), 415, null);
		assertProblem(post(topic, "text/html", json("<p>hi</p>")), 415, null);
		assertProblem(post(topic, "not a media type", json("{\"a\":1}")), 415, null);
		publishValid("after media type");
	}

	@Test
	void malformedJsonIsABadRequest() {
		publishValid("before bad json");
		for (String body : List.of("{", "{\"a\":1} x", "", "   ", "{\"a\":}", "[1,2", "nope", "{'a':1}")) {
			assertProblem(post("topic=" + TOPIC, "application/json", json(body)), 400, null);
			assertProblem(post("topic=" + TOPIC, "application/json", chunked(body)), 400, null);
		}
		publishValid("after bad json");
	}

	@Test
	void textBodyArrivesAsAJsonString() {
		publishValid("before text");
		String text = "hello \"world\" {not: json} \\ \u00e9\n";
		assertAccepted(post("topic=" + TOPIC, "text/plain; charset=UTF-8", json(text)), StringNode.valueOf(text));
		assertAccepted(post("topic=" + TOPIC, "text/plain", json("{\"a\":1}")), StringNode.valueOf("{\"a\":1}"));
		publishValid("after text");
	}

	@Test
	void checksRunInTheProtocolOrder() {
		publishValid("before order");
		String oversized = "\"" + "x".repeat(2 * MAX) + "\"";
		for (BodyPublisher body : List.of(json(oversized), chunked(oversized))) {
			// topic first, then authorization, then size, then media type, then the body
			assertProblem(post("topic=bad%20topic", "application/json", body), 400, "topic");
			assertProblem(post("", "application/xml", body), 400, "topic");
			assertProblem(post("topic=secret", "application/json", body), 403, "secret");
			assertProblem(post("topic=secret", "application/xml", body), 403, "secret");
			assertProblem(post("topic=" + TOPIC, "application/xml", body), 413, "1024");
			assertProblem(post("topic=" + TOPIC, null, body), 413, "1024");
		}
		assertProblem(post("topic=secret", "application/json", json("{")), 403, "secret");
		assertProblem(post("topic=" + TOPIC, "application/xml", json("{")), 415, null);
		publishValid("after order");
	}

	@Test
	@Order(Integer.MAX_VALUE)
	void subscriberReceivesEveryValidMessageInOrderDespiteBadRequests() {
		publishValid("last");
		List<JsonNode> expected = List.copyOf(this.accepted);
		await().atMost(WAIT).until(() -> this.bystander.messages().size() >= expected.size());
		assertThat(this.bystander.ended()).isFalse();
		assertThat(events(this.bystander, "reset")).isEmpty();
		assertThat(this.bystander.messages())
			.extracting((event) -> RealtimeHttpClient.json(event.data()).get("data"))
			.containsExactlyElementsOf(expected);
		// the same sequence is in history for a client that polls from the start
		JsonNode polled = this.http.poll("poll", List.of(TOPIC), this.bystanderPollCursor);
		assertThat(polled.get("recovered").asBoolean()).isTrue();
		assertThat(polled.get("messages")).extracting((message) -> message.get("data"))
			.containsExactlyElementsOf(expected);
	}

	private static List<SseStream.Event> events(SseStream stream, String name) {
		return stream.events().stream().filter((event) -> name.equals(event.name())).toList();
	}

	private void publishValid(String label) {
		String id = this.http.publishJson(TOPIC, "{\"label\":\"" + label + "\"}");
		assertThat(id).isNotBlank();
		this.accepted.add(RealtimeHttpClient.json("{\"label\":\"" + label + "\"}"));
	}

	private void assertAccepted(HttpResponse<String> response, JsonNode data) {
		assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
		JsonNode body = RealtimeHttpClient.json(response);
		assertThat(body.get("topic").asString()).isEqualTo(TOPIC);
		assertThat(body.get("id").asString()).isNotBlank();
		this.accepted.add(data);
	}

	private static void assertProblem(HttpResponse<String> response, int status, @Nullable String detailMentions) {
		String request = response.request().method() + " " + response.request().uri();
		assertThat(response.statusCode()).as(request + " -> " + response.body()).isEqualTo(status);
		assertThat(response.headers().firstValue("Content-Type")).as(request)
			.hasValueSatisfying((type) -> assertThat(MediaType.parseMediaType(type)
				.isCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)).as(type).isTrue());
		JsonNode problem = RealtimeHttpClient.json(response);
		assertThat(problem.path("status").asInt()).as(request).isEqualTo(status);
		assertThat(problem.path("detail").asString()).as(request).isNotBlank();
		if (detailMentions != null) {
			assertThat(problem.path("detail").asString()).as(request).contains(detailMentions);
		}
		assertThat(problem.has("trace")).as(request).isFalse();
		assertThat(problem.has("exception")).as(request).isFalse();
		assertThat(response.body()).as(request).doesNotContain("Exception").doesNotContainPattern("\\bat [a-z]+\\.");
	}

	private HttpResponse<String> get(String endpoint, String query) {
		return this.http.send(HttpRequest.newBuilder(uri(endpoint, query))
			.header("Accept", endpoint.equals("sse") ? "text/event-stream" : "application/json")
			.timeout(WAIT)
			.GET()
			.build());
	}

	private HttpResponse<String> post(String query, @Nullable String contentType, BodyPublisher body) {
		HttpRequest.Builder request = HttpRequest.newBuilder(uri("publish", query)).timeout(WAIT).POST(body);
		if (contentType != null) {
			request.header("Content-Type", contentType);
		}
		return this.http.send(request.build());
	}

	private URI uri(String endpoint, String query) {
		return URI.create(this.http.base() + "/" + endpoint + (query.isEmpty() ? "" : "?" + query));
	}

	/** A body sent with a Content-Length. */
	private static BodyPublisher json(String body) {
		return BodyPublishers.ofString(body, StandardCharsets.UTF_8);
	}

	/** A body of unknown length, sent with chunked transfer encoding. */
	private static BodyPublisher chunked(String body) {
		byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
		return BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(bytes));
	}

	private static String base64(String text) {
		return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
	}

	private static String encode(String value) {
		return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
	}

}
