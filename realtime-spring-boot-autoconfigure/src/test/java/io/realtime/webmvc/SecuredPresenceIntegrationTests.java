package io.realtime.webmvc;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import io.realtime.test.LoginSession;
import io.realtime.test.RealtimeHttpClient;
import io.realtime.test.SecuredApplication;
import io.realtime.test.SseStream;
import io.realtime.test.WebSocketTestClient;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Presence behind Spring Security: a member's user is its principal's name on every transport,
 * and the default rule (whoever may subscribe may see presence) follows the application's policy.
 */
@Tag("security")
@SpringBootTest(classes = SecuredApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "realtime.presence.topics=chat,inbox/*", "realtime.presence.poll-timeout=1s" })
class SecuredPresenceIntegrationTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	@LocalServerPort
	int port;

	@Test
	void membersAreTheirPrincipalsOnEveryTransport() {
		LoginSession alice = LoginSession.login(this.port, "alice");
		LoginSession bob = LoginSession.login(this.port, "bob");
		try (WebSocketTestClient ws = WebSocketTestClient.connect(this.port, null,
				Map.of("Cookie", alice.cookieHeader()))) {
			ws.send("{\"type\":\"subscribe\",\"topic\":\"chat\",\"presence\":true}");
			await().atMost(WAIT).until(() -> ws.frames("subscribed").size() == 1);
			try (SseStream stream = SseStream.open(bob.http, HttpRequest.newBuilder(bob.uri("/realtime/sse?topic=chat")))) {
				assertThat(stream.status()).isEqualTo(200);
				assertThat(bob.get("/realtime/poll?topic=chat&client=tab1").statusCode()).isEqualTo(200);
				await().atMost(WAIT).until(() -> ws.frames("join").size() == 2);
				assertThat(ws.frames("join")).extracting((f) -> f.get("member").get("user").asString())
					.containsExactly("bob", "bob");

				HttpResponse<String> reply = alice.get("/realtime/presence?topic=chat");
				assertThat(reply.statusCode()).as(reply.body()).isEqualTo(200);
				JsonNode members = RealtimeHttpClient.json(reply).get("members");
				assertThat(members).extracting((m) -> m.get("user").asString())
					.containsExactlyInAnyOrder("alice", "bob", "bob");
			}
		}
	}

	@Test
	void whoMayNotSubscribeMayNotSeePresence() {
		LoginSession alice = LoginSession.login(this.port, "alice");
		assertThat(alice.get("/realtime/presence?topic=inbox/alice").statusCode()).isEqualTo(200);
		HttpResponse<String> refused = alice.get("/realtime/presence?topic=inbox/bob");
		assertThat(refused.statusCode()).isEqualTo(403);
		assertThat(refused.headers().firstValue("Content-Type")).hasValueSatisfying(
				(type) -> assertThat(type).startsWith("application/problem+json"));
		try (WebSocketTestClient ws = WebSocketTestClient.connect(this.port, null,
				Map.of("Cookie", alice.cookieHeader()))) {
			ws.send("{\"type\":\"presence\",\"topic\":\"inbox/bob\"}");
			await().atMost(WAIT).until(() -> ws.frames("error").size() == 1);
			assertThat(ws.frames("error").get(0).get("code").asString()).isEqualTo("forbidden");
		}
	}

}
