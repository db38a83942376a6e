package io.realtime.test;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import io.realtime.webmvc.RealtimePublisher;
import io.realtime.webmvc.UserTopics;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Messages to one user, on two instances of {@link UsersApplication} (or twice the same one):
 * alice and bob signed in with several connections each, on every transport and both instances;
 * only the addressed user's connections receive, and no one else can subscribe to a user's
 * private topic.
 */
public abstract class UserMessagesScenarios {

	private static final Duration WAIT = Duration.ofSeconds(10);

	private static final String ALICE = UserTopics.of("alice", "notifications");

	private static final String BOB = UserTopics.of("bob", "notifications");

	/** The port of instance 0 or 1. */
	protected abstract int port(int instance);

	/** The publisher of instance 0 or 1. */
	protected abstract RealtimePublisher publisher(int instance);

	@Test
	void onlyTheAddressedUsersConnectionsReceive() {
		LoginSession alice = LoginSession.login(port(0), "alice");
		LoginSession bob = LoginSession.login(port(1), "bob");
		LoginSession aliceElsewhere = LoginSession.login(port(1), "alice");
		try (WebSocketTestClient aliceWs = webSocket(port(0), alice, ALICE);
				WebSocketTestClient bobWs = webSocket(port(1), bob, BOB);
				SseStream aliceSse = sse(aliceElsewhere, ALICE);
				SseStream bobSse = sse(LoginSession.login(port(0), "bob"), BOB)) {
			String pollCursor = alice.poll(ALICE, null).get("cursor").asString();
			CompletableFuture<HttpResponse<String>> aliceLongPoll = aliceElsewhere.getAsync(
					"/realtime/long-poll?topic=" + ALICE + "&cursor=" + aliceElsewhere.poll(ALICE, null).get("cursor").asString());

			publisher(1).publishToUser("alice", "notifications", "for alice");
			publisher(0).publishToUser("bob", "notifications", "for bob");

			await().atMost(WAIT).until(() -> aliceWs.frames("message").size() == 1 && bobWs.frames("message").size() == 1
					&& aliceSse.messages().size() == 1 && bobSse.messages().size() == 1 && aliceLongPoll.isDone());
			assertThat(data(aliceWs.frames("message"))).containsExactly("for alice");
			assertThat(aliceSse.messages().get(0).data()).contains("\"for alice\"").contains(ALICE);
			assertThat(data(RealtimeHttpClient.json(aliceLongPoll.join()).get("messages"))).containsExactly("for alice");
			assertThat(data(alice.poll(ALICE, pollCursor).get("messages"))).containsExactly("for alice");
			assertThat(data(bobWs.frames("message"))).containsExactly("for bob");
			assertThat(bobSse.messages().get(0).data()).contains("\"for bob\"").doesNotContain("alice");
		}
	}

	@Test
	void noOneElseCanSubscribeToAUsersTopicOnAnyTransport() {
		for (int instance = 0; instance < 2; instance++) {
			LoginSession bob = LoginSession.login(port(instance), "bob");
			assertThat(bob.get("/realtime/poll?topic=" + ALICE).statusCode()).isEqualTo(403);
			assertThat(bob.get("/realtime/long-poll?topic=chat&topic=" + ALICE).statusCode()).isEqualTo(403);
			try (SseStream stream = SseStream.open(bob.http, HttpRequest.newBuilder(bob.uri("/realtime/sse?topic=" + ALICE)))) {
				assertThat(stream.status()).isEqualTo(403);
			}
			try (WebSocketTestClient ws = WebSocketTestClient.connect(port(instance), null,
					Map.of("Cookie", bob.cookieHeader()))) {
				ws.send("{\"type\":\"subscribe\",\"topic\":\"" + ALICE + "\"}");
				await().atMost(WAIT).until(() -> !ws.frames("error").isEmpty());
				JsonNode error = ws.frames("error").get(0);
				assertThat(error.get("code").asString()).isEqualTo("forbidden");
				assertThat(error.get("topic").asString()).isEqualTo(ALICE);
				assertThat(ws.frames("subscribed")).isEmpty();
			}
		}
	}

	/** Clients may publish on every topic ({@code **}) in these apps, yet not into another's. */
	@Test
	void aUserCannotPublishIntoAnotherUsersTopic() {
		LoginSession bob = LoginSession.login(port(0), "bob");
		assertThat(bob.publish(ALICE, "\"forged\"", true).statusCode()).isEqualTo(403);
		assertThat(bob.publish(BOB, "\"to myself\"", true).statusCode()).isEqualTo(202);
	}

	private static WebSocketTestClient webSocket(int port, LoginSession user, String topic) {
		WebSocketTestClient ws = WebSocketTestClient.connect(port, null, Map.of("Cookie", user.cookieHeader()));
		ws.send("{\"type\":\"subscribe\",\"topic\":\"" + topic + "\"}");
		await().atMost(WAIT).until(() -> ws.frames("subscribed").size() == 1);
		return ws;
	}

	private static SseStream sse(LoginSession user, String topic) {
		SseStream stream = SseStream.open(user.http, HttpRequest.newBuilder(user.uri("/realtime/sse?topic=" + topic)));
		assertThat(stream.status()).isEqualTo(200);
		await().atMost(WAIT).until(() -> !stream.events().isEmpty());
		return stream;
	}

	private static List<String> data(Iterable<JsonNode> messages) {
		List<String> data = new java.util.ArrayList<>();
		messages.forEach((message) -> data.add(message.get("data").asString()));
		return data;
	}

}
