package io.realtime.webmvc;

import java.net.CookieManager;
import java.net.HttpCookie;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;

import io.realtime.test.RealtimeHttpClient;
import io.realtime.test.SecuredApplication;
import io.realtime.test.SseStream;
import io.realtime.test.WebSocketTestClient;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * The starter behind Spring Security as the README shows it: form login, CSRF protection on with
 * the token in the {@code XSRF-TOKEN} cookie ({@code csrf.spa()}), the browser client open to
 * all, every other path for users only, and a policy that reads the principal. A logged-in user
 * subscribes on every transport and publishes with the token, as the served client does; without
 * the token, or without logging in, nothing is published. Long poll and SSE also on Spring's
 * portable path, whose async dispatches go through the security filter chain again.
 */
@Tag("security")
class SpringSecurityIntegrationTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	abstract static class SecuredApp {

		@LocalServerPort
		int port;

		@Test
		void userSubscribesAndPublishesWithTheCsrfToken() {
			Session alice = Session.login(this.port, "alice");
			String cursor = alice.poll("chat", null).get("cursor").asString();
			HttpResponse<String> published = alice.publish("chat", "{\"text\":\"hi\"}", true);
			assertThat(published.statusCode()).as(published.body()).isEqualTo(202);
			assertThat(alice.poll("chat", cursor).get("messages").get(0).get("data").get("text").asString())
				.isEqualTo("hi");
		}

		@Test
		void policySeesThePrincipal() {
			Session alice = Session.login(this.port, "alice");
			assertThat(alice.publish("inbox/alice", "1", true).statusCode()).isEqualTo(202);
			HttpResponse<String> refused = alice.publish("inbox/bob", "1", true);
			assertThat(refused.statusCode()).isEqualTo(403);
			assertThat(refused.headers().firstValue("Content-Type")).hasValueSatisfying(
					(type) -> assertThat(type).startsWith("application/problem+json"));
			assertThat(alice.get("/realtime/poll?topic=inbox/alice").statusCode()).isEqualTo(200);
			assertThat(alice.get("/realtime/poll?topic=inbox/bob").statusCode()).isEqualTo(403);
		}

		@Test
		void publishWithoutTheCsrfTokenIsRefused() {
			Session alice = Session.login(this.port, "alice");
			String cursor = alice.poll("chat", null).get("cursor").asString();
			assertThat(alice.publish("chat", "\"forged\"", false).statusCode()).isEqualTo(403);
			assertThat(alice.poll("chat", cursor).get("messages")).isEmpty();
		}

		@Test
		void anonymousIsRefused() {
			Session anonymous = new Session(this.port);
			String cursor = Session.login(this.port, "alice").poll("chat", null).get("cursor").asString();
			anonymous.get("/login"); // a CSRF token, so that only the missing login refuses
			assertThat(anonymous.publish("chat", "\"anonymous\"", true).statusCode()).isEqualTo(302);
			assertThat(anonymous.get("/realtime/poll?topic=chat").statusCode()).isEqualTo(302);
			assertThatExceptionOfType(IllegalStateException.class)
				.isThrownBy(() -> WebSocketTestClient.connect(this.port, null));
			assertThat(Session.login(this.port, "bob").poll("chat", cursor).get("messages")).isEmpty();
		}

		@Test
		void browserClientIsOpenToAll() {
			assertThat(new Session(this.port).get("/realtime/client.js").statusCode()).isEqualTo(200);
		}

		@Test
		void heldLongPollIsAnsweredToTheUser() {
			Session alice = Session.login(this.port, "alice");
			Session bob = Session.login(this.port, "bob");
			String cursor = alice.poll("chat", null).get("cursor").asString();
			CompletableFuture<HttpResponse<String>> held = alice.getAsync("/realtime/long-poll?topic=chat&cursor=" + cursor);
			assertThat(bob.publish("chat", "\"while held\"", true).statusCode()).isEqualTo(202);
			await().atMost(WAIT).until(held::isDone);
			HttpResponse<String> reply = held.join();
			assertThat(reply.statusCode()).as(reply.body()).isEqualTo(200);
			assertThat(RealtimeHttpClient.json(reply).get("messages").get(0).get("data").asString())
				.isEqualTo("while held");
		}

		@Test
		void sseStreamsToTheUser() {
			Session alice = Session.login(this.port, "alice");
			try (SseStream stream = SseStream.open(alice.http,
					HttpRequest.newBuilder(alice.uri("/realtime/sse?topic=chat")))) {
				assertThat(stream.status()).isEqualTo(200);
				await().atMost(WAIT).until(() -> !stream.events().isEmpty());
				assertThat(alice.publish("chat", "\"streamed\"", true).statusCode()).isEqualTo(202);
				await().atMost(WAIT).until(() -> stream.messages().size() == 1);
				assertThat(stream.messages().get(0).data()).contains("streamed");
			}
		}

		@Test
		void userOpensWebSocketWithTheSessionCookie() {
			Session alice = Session.login(this.port, "alice");
			try (WebSocketTestClient ws = WebSocketTestClient.connect(this.port, null,
					Map.of("Cookie", alice.cookieHeader()))) {
				ws.send("{\"type\":\"publish\",\"topic\":\"inbox/alice\",\"data\":1,\"ref\":\"mine\"}");
				ws.send("{\"type\":\"publish\",\"topic\":\"inbox/bob\",\"data\":1,\"ref\":\"theirs\"}");
				await().atMost(WAIT).until(() -> ws.frames("published").size() == 1 && ws.frames("error").size() == 1);
				assertThat(ws.frames("error").get(0).get("code").asString()).isEqualTo("forbidden");
			}
		}

	}

	@Nested
	@SpringBootTest(classes = SecuredApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT)
	class FastPaths extends SecuredApp {

	}

	@Nested
	@SpringBootTest(classes = SecuredApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
			properties = { "realtime.fast-paths.enabled=false", "realtime.sse.detach=false",
					"realtime.long-poll.detach=false" })
	class PortablePath extends SecuredApp {

	}

	/** A browser's share of a user: its cookies, and the CSRF header the served client sends. */
	static final class Session {

		private final CookieManager cookies = new CookieManager();

		private final HttpClient http;

		private final int port;

		Session(int port) {
			this.port = port;
			this.http = HttpClient.newBuilder().cookieHandler(this.cookies).connectTimeout(WAIT).build();
		}

		static Session login(int port, String name) {
			Session session = new Session(port);
			session.get("/login");
			HttpResponse<String> response = session.send(HttpRequest.newBuilder(session.uri("/login"))
				.header("Content-Type", "application/x-www-form-urlencoded")
				.header("X-XSRF-TOKEN", session.csrfToken())
				.POST(HttpRequest.BodyPublishers.ofString("username=" + name + "&password=secret")));
			assertThat(response.statusCode()).isEqualTo(302);
			assertThat(response.headers().firstValue("Location")).hasValueSatisfying(
					(location) -> assertThat(location).doesNotContain("error"));
			return session;
		}

		HttpClient http() {
			return this.http;
		}

		URI uri(String path) {
			return URI.create("http://localhost:" + this.port + path);
		}

		HttpResponse<String> get(String path) {
			return send(HttpRequest.newBuilder(uri(path)).GET());
		}

		CompletableFuture<HttpResponse<String>> getAsync(String path) {
			return this.http.sendAsync(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(60)).build(),
					HttpResponse.BodyHandlers.ofString());
		}

		JsonNode poll(String topic, @Nullable String cursor) {
			HttpResponse<String> response = get(
					"/realtime/poll?topic=" + topic + ((cursor != null) ? "&cursor=" + cursor : ""));
			assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
			return RealtimeHttpClient.json(response);
		}

		/** A same-origin publish, with the token from the XSRF-TOKEN cookie when {@code withToken}. */
		HttpResponse<String> publish(String topic, String json, boolean withToken) {
			HttpRequest.Builder request = HttpRequest.newBuilder(uri("/realtime/publish?topic=" + topic))
				.header("Content-Type", "application/json")
				.header("Origin", "http://localhost:" + this.port)
				.POST(HttpRequest.BodyPublishers.ofString(json));
			if (withToken) {
				request.header("X-XSRF-TOKEN", csrfToken());
			}
			return send(request);
		}

		String csrfToken() {
			return cookie("XSRF-TOKEN");
		}

		String cookieHeader() {
			return this.cookies.getCookieStore()
				.getCookies()
				.stream()
				.map(HttpCookie::toString)
				.collect(Collectors.joining("; "));
		}

		private String cookie(String name) {
			return this.cookies.getCookieStore()
				.getCookies()
				.stream()
				.filter((cookie) -> cookie.getName().equals(name))
				.map(HttpCookie::getValue)
				.findFirst()
				.orElseThrow(() -> new AssertionError("no " + name + " cookie"));
		}

		private HttpResponse<String> send(HttpRequest.Builder request) {
			try {
				return this.http.send(request.timeout(WAIT).build(), HttpResponse.BodyHandlers.ofString());
			}
			catch (Exception ex) {
				throw new IllegalStateException(ex);
			}
		}

	}

}
