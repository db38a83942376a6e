package io.realtime.webmvc;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import io.realtime.test.LoginSession;
import io.realtime.test.RealtimeHttpClient;
import io.realtime.test.SecuredApplication;
import io.realtime.test.SseStream;
import io.realtime.test.WebSocketTestClient;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

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
			LoginSession alice = LoginSession.login(this.port, "alice");
			String cursor = alice.poll("chat", null).get("cursor").asString();
			HttpResponse<String> published = alice.publish("chat", "{\"text\":\"hi\"}", true);
			assertThat(published.statusCode()).as(published.body()).isEqualTo(202);
			assertThat(alice.poll("chat", cursor).get("messages").get(0).get("data").get("text").asString())
				.isEqualTo("hi");
		}

		@Test
		void policySeesThePrincipal() {
			LoginSession alice = LoginSession.login(this.port, "alice");
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
			LoginSession alice = LoginSession.login(this.port, "alice");
			String cursor = alice.poll("chat", null).get("cursor").asString();
			assertThat(alice.publish("chat", "\"forged\"", false).statusCode()).isEqualTo(403);
			assertThat(alice.poll("chat", cursor).get("messages")).isEmpty();
		}

		@Test
		void anonymousIsRefused() {
			LoginSession anonymous = new LoginSession(this.port);
			String cursor = LoginSession.login(this.port, "alice").poll("chat", null).get("cursor").asString();
			anonymous.get("/login"); // a CSRF token, so that only the missing login refuses
			assertThat(anonymous.publish("chat", "\"anonymous\"", true).statusCode()).isEqualTo(302);
			assertThat(anonymous.get("/realtime/poll?topic=chat").statusCode()).isEqualTo(302);
			assertThatExceptionOfType(IllegalStateException.class)
				.isThrownBy(() -> WebSocketTestClient.connect(this.port, null));
			assertThat(LoginSession.login(this.port, "bob").poll("chat", cursor).get("messages")).isEmpty();
		}

		@Test
		void browserClientIsOpenToAll() {
			assertThat(new LoginSession(this.port).get("/realtime/client.js").statusCode()).isEqualTo(200);
		}

		@Test
		void heldLongPollIsAnsweredToTheUser() {
			LoginSession alice = LoginSession.login(this.port, "alice");
			LoginSession bob = LoginSession.login(this.port, "bob");
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
			LoginSession alice = LoginSession.login(this.port, "alice");
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
			LoginSession alice = LoginSession.login(this.port, "alice");
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

}
