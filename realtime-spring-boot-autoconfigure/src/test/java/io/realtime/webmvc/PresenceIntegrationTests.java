package io.realtime.webmvc;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.Principal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

import io.realtime.test.RealtimeHttpClient;
import io.realtime.test.SseStream;
import io.realtime.test.TestApplication;
import io.realtime.test.WebSocketTestClient;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Presence on a real server: a subscriber of a topic on which presence is on is a member,
 * whatever its transport; others who asked are told of its join and leave on every transport;
 * {@code GET /presence} and the WebSocket {@code presence} frame list the members; a polling
 * client that stops polling leaves after the poll timeout; the policy decides who sees presence;
 * the limits refuse with the protocol's answers. Run on Redis too ({@code RedisPresenceIntegrationTests}).
 */
@SpringBootTest(classes = { TestApplication.class, PresenceIntegrationTests.PresenceConfiguration.class },
		webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "realtime.presence.topics=room/**", "realtime.presence.poll-timeout=1s",
				"realtime.presence.max-members=3", "realtime.presence.max-info-size=64B",
				"realtime.long-poll.timeout=2s", "realtime.sse.heartbeat=500ms" })
public class PresenceIntegrationTests {

	private static final Duration WAIT = Duration.ofSeconds(15);

	@LocalServerPort
	int port;

	private final List<AutoCloseable> opened = new CopyOnWriteArrayList<>();

	private final String topic = "room/" + UUID.randomUUID();

	@AfterEach
	void close() throws Exception {
		for (AutoCloseable closeable : this.opened) {
			closeable.close();
		}
	}

	@ParameterizedTest
	@ValueSource(strings = { "websocket", "sse", "long-poll", "poll" })
	void othersSeeASubscriberOfEveryTransportJoinAndLeave(String transport) throws Exception {
		WebSocketTestClient watcher = webSocket(this.topic, true, null, null);
		AutoCloseable member = join(transport, this.topic, "{\"name\":\"" + transport + "\"}", "ada");

		await().atMost(WAIT).until(() -> changes(watcher).size() == 1);
		JsonNode joined = changes(watcher).get(0);
		assertThat(joined.get("type").asString()).isEqualTo("join");
		assertThat(joined.get("topic").asString()).isEqualTo(this.topic);
		assertThat(joined.get("member").get("user").asString()).isEqualTo("ada");
		assertThat(joined.get("member").get("info").get("name").asString()).isEqualTo(transport);
		String id = joined.get("member").get("id").asString();
		assertThat(members(this.topic)).extracting((m) -> m.get("id").asString()).contains(id);

		// a stream or socket leaves when it closes, a polling client once its polls stop coming
		member.close();
		await().atMost(WAIT).until(() -> changes(watcher).size() == 2);
		JsonNode left = changes(watcher).get(1);
		assertThat(left.get("type").asString()).isEqualTo("leave");
		assertThat(left.get("member").get("id").asString()).isEqualTo(id);
		assertThat(members(this.topic)).extracting((m) -> m.get("id").asString()).doesNotContain(id);
	}

	@ParameterizedTest
	@ValueSource(strings = { "sse", "long-poll", "poll" })
	void everyTransportTellsOfJoinsAndLeaves(String transport) throws Exception {
		Supplier<List<String>> news = watch(transport, this.topic);
		WebSocketTestClient member = webSocket(this.topic, false, "{\"x\":1}", "bob");
		await().atMost(WAIT).until(() -> news.get().size() == 1);
		member.close();
		await().atMost(WAIT).until(() -> news.get().size() == 2);

		assertThat(news.get()).containsExactly("join bob {\"x\":1}", "leave bob {\"x\":1}");
	}

	@Test
	void presenceListsEveryMemberWithItsUserAndInfo() throws Exception {
		webSocket(this.topic, false, "{\"color\":\"red\"}", "ada");
		webSocket(this.topic, false, null, null);
		HttpResponse<String> reply = http().get("presence", List.of(this.topic), null);

		assertThat(reply.statusCode()).isEqualTo(200);
		assertThat(reply.headers().firstValue("Content-Type")).hasValueSatisfying(
				(type) -> assertThat(type).startsWith("application/json"));
		JsonNode body = RealtimeHttpClient.json(reply);
		assertThat(body.get("topic").asString()).isEqualTo(this.topic);
		assertThat(body.get("members")).hasSize(2);
		JsonNode ada = body.get("members").get(0);
		assertThat(ada.get("user").asString()).isEqualTo("ada");
		assertThat(ada.get("info").toString()).isEqualTo("{\"color\":\"red\"}");
		JsonNode anonymous = body.get("members").get(1);
		assertThat(anonymous.has("user")).isFalse();
		assertThat(anonymous.has("info")).isFalse();
		assertThat(anonymous.get("id").asString()).isNotEqualTo(ada.get("id").asString());
	}

	@Test
	void webSocketPresenceFrameListsTheMembersAndNoSubscriberHearsOfItself() {
		WebSocketTestClient ada = webSocket(this.topic, true, null, "ada");
		ada.send("{\"type\":\"presence\",\"topic\":\"" + this.topic + "\",\"ref\":\"who\"}");

		await().atMost(WAIT).until(() -> ada.frames("presence").size() == 1);
		JsonNode reply = ada.frames("presence").get(0);
		assertThat(reply.get("ref").asString()).isEqualTo("who");
		assertThat(reply.get("members")).extracting((m) -> m.get("user").asString()).containsExactly("ada");
		assertThat(changes(ada)).isEmpty();
	}

	@Test
	void unsubscribingLeaves() {
		WebSocketTestClient watcher = webSocket(this.topic, true, null, null);
		WebSocketTestClient member = webSocket(this.topic, false, null, "ada");
		member.send("{\"type\":\"unsubscribe\",\"topic\":\"" + this.topic + "\"}");

		await().atMost(WAIT).until(() -> changes(watcher).size() == 2);
		assertThat(changes(watcher)).extracting((f) -> f.get("type").asString()).containsExactly("join", "leave");
		assertThat(member.frames("unsubscribed")).hasSize(1);
	}

	@Test
	void aWaitingLongPollKeepsItsClientPresentAndAVanishedOneLeavesWithinTheTimeout() {
		WebSocketTestClient watcher = webSocket(this.topic, true, null, null);
		// waits 2 s, longer than the poll timeout (1 s): the client stays present meanwhile
		CompletableFuture<HttpResponse<String>> held = http().http()
			.sendAsync(HttpRequest.newBuilder(uri("long-poll", "topic=" + this.topic + "&client=vanishing")).build(),
					HttpResponse.BodyHandlers.ofString());
		await().atMost(WAIT).until(() -> changes(watcher).size() == 1);
		long joined = System.nanoTime();
		await().atMost(WAIT).until(held::isDone);
		assertThat(changes(watcher)).hasSize(1);

		// then no poll comes again: it leaves after the poll timeout and a sweep
		long answered = System.nanoTime();
		await().atMost(WAIT).until(() -> changes(watcher).size() == 2);
		assertThat(Duration.ofNanos(System.nanoTime() - answered)).isLessThan(Duration.ofMillis(1000 + 250 + 1000));
		assertThat(Duration.ofNanos(answered - joined)).isGreaterThan(Duration.ofMillis(1500));
		// the watcher alone is left
		assertThat(members(this.topic)).hasSize(1);
	}

	@Test
	void pollingAgainWithTheSameClientIdStaysOneMember() {
		WebSocketTestClient watcher = webSocket(this.topic, true, null, null);
		for (int i = 0; i < 3; i++) {
			assertThat(http().send(get("poll", "topic=" + this.topic + "&client=steady")).statusCode()).isEqualTo(200);
		}
		await().atMost(WAIT).until(() -> changes(watcher).size() == 1);
		// the watcher and the polling client
		assertThat(members(this.topic)).hasSize(2);
	}

	@Test
	void presenceIsRefusedWhereThePolicySaysSo() {
		String secret = "room/secret/" + UUID.randomUUID();
		// subscribing is allowed, and makes the subscriber present; seeing who is there is not
		WebSocketTestClient ws = webSocket(secret, false, null, null);
		ws.send("{\"type\":\"presence\",\"topic\":\"" + secret + "\",\"ref\":\"r\"}");
		ws.send("{\"type\":\"subscribe\",\"topic\":\"" + secret + "\",\"presence\":true}");
		await().atMost(WAIT).until(() -> ws.frames("error").size() == 2);
		assertThat(ws.frames("error")).extracting((f) -> f.get("code").asString())
			.containsExactly("forbidden", "forbidden");
		assertThat(ws.frames("error").get(0).get("ref").asString()).isEqualTo("r");

		assertProblem(http().send(get("presence", "topic=" + secret)), 403);
		assertProblem(http().send(get("poll", "topic=" + secret + "&client=c1&presence=true")), 403);
		assertProblem(http().send(get("long-poll", "topic=" + secret + "&client=c1&presence=true")), 403);
		try (SseStream sse = SseStream.open(http().http(), uri("sse", "topic=" + secret + "&presence=true"), null)) {
			assertThat(sse.status()).isEqualTo(403);
		}
	}

	@Test
	void badInputIsABadRequest() {
		String tooLarge = "{\"text\":\"" + "x".repeat(64) + "\"}";
		assertProblem(http().send(get("presence", "topic=elsewhere")), 400);
		assertProblem(http().send(get("presence", "topic=")), 400);
		assertProblem(http().send(get("poll", "topic=" + this.topic + "&client=c1&info=" + encode(tooLarge))), 400);
		assertProblem(http().send(get("poll", "topic=" + this.topic + "&client=c1&info=%5B1%5D")), 400);
		assertProblem(http().send(get("poll", "topic=" + this.topic + "&client=c1&info=%7B")), 400);
		assertProblem(http().send(get("poll", "topic=" + this.topic + "&client=" + "x".repeat(65))), 400);
		assertProblem(http().send(get("poll", "topic=" + this.topic + "&client=a%20b")), 400);
		assertProblem(http().send(get("poll", "topic=" + this.topic + "&presence=true")), 400);
		assertProblem(http().send(get("sse", "topic=" + this.topic + "&presence=yes")), 400);

		WebSocketTestClient ws = WebSocketTestClient.connect(this.port, null);
		this.opened.add(ws);
		ws.send("{\"type\":\"subscribe\",\"topic\":\"" + this.topic + "\",\"info\":" + tooLarge + "}");
		ws.send("{\"type\":\"subscribe\",\"topic\":\"" + this.topic + "\",\"info\":\"text\"}");
		ws.send("{\"type\":\"subscribe\",\"topic\":\"" + this.topic + "\",\"presence\":\"yes\"}");
		ws.send("{\"type\":\"presence\",\"topic\":\"elsewhere\"}");
		await().atMost(WAIT).until(() -> ws.frames("error").size() == 4);
		assertThat(ws.frames("error")).extracting((f) -> f.get("code").asString()).containsOnly("bad_request");
		assertThat(ws.frames("subscribed")).isEmpty();
		assertThat(members(this.topic)).isEmpty();
	}

	@Test
	void aFullTopicRefusesMoreSubscribers() {
		for (int i = 0; i < 3; i++) {
			webSocket(this.topic, false, null, null);
		}
		WebSocketTestClient fourth = WebSocketTestClient.connect(this.port, null);
		this.opened.add(fourth);
		fourth.send("{\"type\":\"subscribe\",\"topic\":\"" + this.topic + "\"}");
		await().atMost(WAIT).until(() -> fourth.frames("error").size() == 1);
		assertThat(fourth.frames("error").get(0).get("code").asString()).isEqualTo("over_capacity");
		assertThat(fourth.frames("subscribed")).isEmpty();

		assertProblem(http().send(get("poll", "topic=" + this.topic + "&client=c4")), 503);
		try (SseStream sse = SseStream.open(http().http(), uri("sse", "topic=" + this.topic), null)) {
			assertThat(sse.status()).isEqualTo(503);
		}
		assertThat(members(this.topic)).hasSize(3);
	}

	@Test
	void topicsWithoutPresenceHaveNoMembers() {
		String plain = "plain-" + UUID.randomUUID();
		WebSocketTestClient ws = webSocket(plain, true, "{\"ignored\":true}", null);
		assertThat(ws.frames("error")).isEmpty();
		assertThat(http().send(get("poll", "topic=" + plain + "&client=c1&presence=true")).statusCode())
			.isEqualTo(200);
	}

	/** Subscribe over a WebSocket and wait for the {@code subscribed} frame. */
	private WebSocketTestClient webSocket(String topic, boolean news, @Nullable String info, @Nullable String user) {
		WebSocketTestClient ws = WebSocketTestClient.connect(this.port, null,
				(user != null) ? Map.of("X-User", user) : Map.of());
		this.opened.add(ws);
		ws.send("{\"type\":\"subscribe\",\"topic\":\"" + topic + "\",\"presence\":" + news
				+ ((info != null) ? ",\"info\":" + info : "") + "}");
		await().atMost(WAIT).until(() -> ws.frames("subscribed").size() == 1 || !ws.frames("error").isEmpty());
		return ws;
	}

	/** Become a member over a transport; closing it leaves (a polling client by polling no more). */
	private AutoCloseable join(String transport, String topic, String info, String user) {
		String query = "topic=" + topic + "&info=" + encode(info);
		return switch (transport) {
			case "websocket" -> webSocket(topic, false, info, user);
			case "sse" -> {
				SseStream stream = SseStream.open(http().http(),
						HttpRequest.newBuilder(uri("sse", query)).header("X-User", user));
				this.opened.add(stream);
				assertThat(stream.status()).isEqualTo(200);
				yield stream;
			}
			default -> {
				HttpResponse<String> reply = http()
					.send(HttpRequest.newBuilder(uri(transport, query + "&client=" + UUID.randomUUID()))
						.header("X-User", user)
						.timeout(WAIT)
						.build());
				assertThat(reply.statusCode()).as(reply.body()).isEqualTo(200);
				yield () -> {
				};
			}
		};
	}

	/**
	 * Watch a topic's news over a transport, as {@code "join <user> <info>"}: each call gives
	 * what arrived so far, a polling watcher polling once more first.
	 */
	private Supplier<List<String>> watch(String transport, String topic) {
		if (transport.equals("sse")) {
			SseStream stream = SseStream.open(http().http(), uri("sse", "topic=" + topic + "&presence=true"), null);
			this.opened.add(stream);
			assertThat(stream.status()).isEqualTo(200);
			await().atMost(WAIT).until(() -> !stream.events().isEmpty());
			return () -> stream.events()
				.stream()
				.filter((event) -> event.name().equals("join") || event.name().equals("leave"))
				.peek((event) -> assertThat(event.id()).isNull())
				.map((event) -> describe(event.name(), RealtimeHttpClient.json(event.data())))
				.toList();
		}
		List<String> news = new ArrayList<>();
		String client = "watcher-" + UUID.randomUUID();
		String[] cursor = { null };
		Runnable poll = () -> {
			HttpResponse<String> reply = http().send(get((cursor[0] != null) ? transport : "poll", "topic=" + topic
					+ "&client=" + client + "&presence=true" + ((cursor[0] != null) ? "&cursor=" + cursor[0] : "")));
			assertThat(reply.statusCode()).as(reply.body()).isEqualTo(200);
			JsonNode body = RealtimeHttpClient.json(reply);
			cursor[0] = body.get("cursor").asString();
			for (JsonNode change : body.path("presence")) {
				assertThat(change.get("topic").asString()).isEqualTo(topic);
				news.add(describe(change.get("type").asString(), change));
			}
		};
		poll.run();
		return () -> {
			synchronized (news) {
				poll.run();
				return List.copyOf(news);
			}
		};
	}

	private static String describe(String type, JsonNode change) {
		JsonNode member = change.get("member");
		return type + " " + member.path("user").asString("-") + " " + member.path("info");
	}

	private static List<JsonNode> changes(WebSocketTestClient ws) {
		return ws.frames()
			.stream()
			.filter((f) -> f.get("type").asString().equals("join") || f.get("type").asString().equals("leave"))
			.toList();
	}

	private List<JsonNode> members(String topic) {
		HttpResponse<String> reply = http().send(get("presence", "topic=" + topic));
		assertThat(reply.statusCode()).as(reply.body()).isEqualTo(200);
		List<JsonNode> members = new ArrayList<>();
		RealtimeHttpClient.json(reply).get("members").forEach(members::add);
		return members;
	}

	private static void assertProblem(HttpResponse<String> reply, int status) {
		assertThat(reply.statusCode()).as(reply.body()).isEqualTo(status);
		assertThat(reply.headers().firstValue("Content-Type")).hasValueSatisfying(
				(type) -> assertThat(type).startsWith("application/problem+json"));
	}

	private HttpRequest get(String endpoint, String query) {
		return HttpRequest.newBuilder(uri(endpoint, query)).timeout(WAIT).GET().build();
	}

	private URI uri(String endpoint, String query) {
		return URI.create(http().base() + "/" + endpoint + "?" + query);
	}

	private RealtimeHttpClient http() {
		return new RealtimeHttpClient(this.port);
	}

	private static String encode(String value) {
		return java.net.URLEncoder.encode(value, java.nio.charset.StandardCharsets.UTF_8);
	}

	@TestConfiguration(proxyBeanMethods = false)
	public static class PresenceConfiguration {

		/** Anyone may subscribe anywhere; nobody may see who is on {@code room/secret/**}. */
		@Bean
		RealtimeAuthorizationPolicy realtimeAuthorizationPolicy() {
			return new RealtimeAuthorizationPolicy() {

				@Override
				public boolean canSubscribe(@Nullable Principal principal, String topic) {
					return true;
				}

				@Override
				public boolean canPublish(@Nullable Principal principal, String topic) {
					return false;
				}

				@Override
				public boolean canSeePresence(@Nullable Principal principal, String topic) {
					return !topic.startsWith("room/secret/");
				}

			};
		}

		@Bean
		AuthorizationPolicyIntegrationTests.UserHeaderFilter userHeaderFilter() {
			return new AuthorizationPolicyIntegrationTests.UserHeaderFilter();
		}

	}

}
