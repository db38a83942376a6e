package io.realtime.webmvc;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.security.Principal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import io.realtime.test.RealtimeHttpClient;
import io.realtime.test.SseStream;
import io.realtime.test.TestApplication;
import io.realtime.test.WebSocketTestClient;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.http.MediaType;
import org.springframework.util.AntPathMatcher;
import org.springframework.web.filter.OncePerRequestFilter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An application's own {@link RealtimeAuthorizationPolicy} is asked, with the request's
 * principal, for every subscribe and every client publish on every transport, and its refusals
 * reach the client as the protocol says: a {@code 403} problem over HTTP, a {@code forbidden}
 * error frame over WebSocket. The allowed topics would let the default policy accept any
 * publish, so every refusal proves the user's policy replaced it.
 */
@SpringBootTest(classes = { TestApplication.class, AuthorizationPolicyIntegrationTests.PolicyConfiguration.class },
		webEnvironment = WebEnvironment.RANDOM_PORT, properties = "realtime.publish.allowed-topics=**")
class AuthorizationPolicyIntegrationTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	private static final Map<String, String> ALICE = Map.of("X-User", "alice");

	@LocalServerPort
	int port;

	@Autowired
	RecordingPolicy policy;

	@Autowired
	RealtimePublisher publisher;

	private RealtimeHttpClient http;

	@BeforeEach
	void reset() {
		this.http = new RealtimeHttpClient(this.port);
		this.policy.decisions.clear();
	}

	@Test
	void subscribingToARefusedTopicIsForbiddenOnEveryHttpTransport() {
		for (String endpoint : List.of("poll", "long-poll", "sse")) {
			assertForbidden(get(endpoint, "topic=secret/plans", "alice"), "secret/plans");
			// one refused topic refuses the whole request
			assertForbidden(get(endpoint, "topic=news&topic=secret/plans", "alice"), "secret/plans");
			assertForbidden(get(endpoint, "topic=secret/plans", null), "secret/plans");
		}
		assertThat(this.policy.decisions).filteredOn("subscribe alice secret/plans"::equals).hasSize(6);
		assertThat(this.policy.decisions).filteredOn("subscribe anonymous secret/plans"::equals).hasSize(3);
	}

	@Test
	void allowedHttpSubscriptionsAreAskedWithThePrincipal() throws Exception {
		for (String endpoint : List.of("poll", "long-poll")) {
			String cursor = this.http.poll("poll", List.of("news"), null).get("cursor").asString();
			// server code publishes without asking the policy
			this.publisher.publish("news", 1);
			HttpResponse<String> response = get(endpoint, "topic=news&cursor=" + cursor, "alice");
			assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		}
		HttpRequest.Builder sse = HttpRequest.newBuilder(uri("sse", "topic=news")).header("X-User", "bob");
		try (SseStream stream = SseStream.open(this.http.http(), sse)) {
			assertThat(stream.status()).isEqualTo(200);
			await().atMost(WAIT).until(() -> !stream.events().isEmpty());
		}
		assertThat(this.policy.decisions).contains("subscribe alice news", "subscribe bob news",
				"subscribe anonymous news");
		assertThat(this.policy.decisions).noneMatch((decision) -> decision.startsWith("publish"));
	}

	@Test
	void webSocketSubscribeToARefusedTopicIsForbidden() {
		try (WebSocketTestClient alice = WebSocketTestClient.connect(this.port, null, ALICE)) {
			alice.send("{\"type\":\"subscribe\",\"topic\":\"secret/plans\",\"ref\":\"s1\"}");
			await().atMost(WAIT).until(() -> alice.frames("error").size() == 1);
			JsonNode error = alice.frames("error").get(0);
			assertThat(error.path("code").asString()).isEqualTo("forbidden");
			assertThat(error.path("ref").asString()).isEqualTo("s1");
			assertThat(error.path("topic").asString()).isEqualTo("secret/plans");
			// still open, and allowed topics still work
			alice.send("{\"type\":\"subscribe\",\"topic\":\"news\"}").send("{\"type\":\"ping\"}");
			await().atMost(WAIT).until(() -> alice.frames("pong").size() == 1);
			assertThat(alice.frames("subscribed")).extracting((frame) -> frame.get("topic").asString())
				.containsExactly("news");
		}
		assertThat(this.policy.decisions).containsSubsequence("subscribe alice secret/plans", "subscribe alice news");
	}

	@Test
	void httpPublishIsAllowedOnlyWhereThePolicySays() throws Exception {
		try (WebSocketTestClient subscriber = WebSocketTestClient.connect(this.port, null)) {
			subscriber.send("{\"type\":\"subscribe\",\"topic\":\"open\"}");
			await().atMost(WAIT).until(() -> subscriber.frames("subscribed").size() == 1);
			assertThat(publish("open", "{\"n\":1}", "alice").statusCode()).isEqualTo(202);
			assertForbidden(publish("news", "{\"n\":2}", "alice"), "news");
			assertForbidden(publish("open", "{\"n\":3}", null), "open");
			assertThat(publish("open", "{\"n\":4}", "bob").statusCode()).isEqualTo(202);
			await().atMost(WAIT).until(() -> subscriber.frames("message").size() >= 2);
			assertThat(subscriber.frames("message")).extracting((frame) -> frame.get("data").get("n").asInt())
				.containsExactly(1, 4);
		}
		assertThat(this.policy.decisions).contains("publish alice open", "publish alice news", "publish anonymous open",
				"publish bob open");
	}

	@Test
	void webSocketPublishIsAllowedOnlyWhereThePolicySays() throws Exception {
		try (WebSocketTestClient subscriber = WebSocketTestClient.connect(this.port, null);
				WebSocketTestClient alice = WebSocketTestClient.connect(this.port, null, ALICE);
				WebSocketTestClient anonymous = WebSocketTestClient.connect(this.port, null)) {
			subscriber.send("{\"type\":\"subscribe\",\"topic\":\"open\"}");
			await().atMost(WAIT).until(() -> subscriber.frames("subscribed").size() == 1);
			alice.send("{\"type\":\"publish\",\"topic\":\"open\",\"data\":{\"n\":1},\"ref\":\"p1\"}");
			alice.send("{\"type\":\"publish\",\"topic\":\"news\",\"data\":{\"n\":2},\"ref\":\"p2\"}");
			anonymous.send("{\"type\":\"publish\",\"topic\":\"open\",\"data\":{\"n\":3},\"ref\":\"p3\"}");
			await().atMost(WAIT).until(() -> alice.frames("published").size() == 1 && alice.frames("error").size() == 1
					&& anonymous.frames("error").size() == 1);
			assertThat(alice.frames("published").get(0).path("ref").asString()).isEqualTo("p1");
			assertForbiddenFrame(alice.frames("error").get(0), "p2", "news");
			assertForbiddenFrame(anonymous.frames("error").get(0), "p3", "open");
			await().atMost(WAIT).until(() -> !subscriber.frames("message").isEmpty());
			// the refused publishes are never delivered: a last allowed one arrives right after the first
			alice.send("{\"type\":\"publish\",\"topic\":\"open\",\"data\":{\"n\":4}}");
			await().atMost(WAIT).until(() -> subscriber.frames("message").size() >= 2);
			assertThat(subscriber.frames("message")).extracting((frame) -> frame.get("data").get("n").asInt())
				.containsExactly(1, 4);
		}
		assertThat(this.policy.decisions).contains("publish alice open", "publish alice news",
				"publish anonymous open");
	}

	private static void assertForbiddenFrame(JsonNode error, String ref, String topic) {
		assertThat(error.path("code").asString()).as(error.toString()).isEqualTo("forbidden");
		assertThat(error.path("ref").asString()).as(error.toString()).isEqualTo(ref);
		assertThat(error.path("topic").asString()).as(error.toString()).isEqualTo(topic);
	}

	private static void assertForbidden(HttpResponse<String> response, String topic) {
		String request = response.request().method() + " " + response.request().uri();
		assertThat(response.statusCode()).as(request + " -> " + response.body()).isEqualTo(403);
		assertThat(response.headers().firstValue("Content-Type")).as(request)
			.hasValueSatisfying((type) -> assertThat(MediaType.parseMediaType(type)
				.isCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)).as(type).isTrue());
		JsonNode problem = RealtimeHttpClient.json(response);
		assertThat(problem.path("status").asInt()).isEqualTo(403);
		assertThat(problem.path("detail").asString()).contains(topic);
	}

	private HttpResponse<String> get(String endpoint, String query, @Nullable String user) {
		HttpRequest.Builder request = HttpRequest.newBuilder(uri(endpoint, query)).timeout(WAIT).GET();
		if (endpoint.equals("sse")) {
			request.header("Accept", "text/event-stream");
		}
		if (user != null) {
			request.header("X-User", user);
		}
		return this.http.send(request.build());
	}

	private HttpResponse<String> publish(String topic, String json, @Nullable String user) {
		HttpRequest.Builder request = HttpRequest.newBuilder(uri("publish", "topic=" + topic))
			.timeout(WAIT)
			.header("Content-Type", "application/json")
			.POST(BodyPublishers.ofString(json));
		if (user != null) {
			request.header("X-User", user);
		}
		return this.http.send(request.build());
	}

	private URI uri(String endpoint, String query) {
		return URI.create(this.http.base() + "/" + endpoint + "?" + query);
	}

	@TestConfiguration(proxyBeanMethods = false)
	static class PolicyConfiguration {

		@Bean
		RecordingPolicy realtimeAuthorizationPolicy() {
			return new RecordingPolicy();
		}

		@Bean
		UserHeaderFilter userHeaderFilter() {
			return new UserHeaderFilter();
		}

	}

	/**
	 * Refuses subscribing to {@code secret/**}; lets only authenticated users publish, and only
	 * on {@code open}. Records every decision as {@code "<action> <user> <topic>"}.
	 */
	static class RecordingPolicy implements RealtimeAuthorizationPolicy {

		private final AntPathMatcher matcher = new AntPathMatcher("/");

		final List<String> decisions = new CopyOnWriteArrayList<>();

		@Override
		public boolean canSubscribe(@Nullable Principal principal, String topic) {
			this.decisions.add("subscribe " + name(principal) + " " + topic);
			return !this.matcher.match("secret/**", topic);
		}

		@Override
		public boolean canPublish(@Nullable Principal principal, String topic) {
			this.decisions.add("publish " + name(principal) + " " + topic);
			return principal != null && topic.equals("open");
		}

		private static String name(@Nullable Principal principal) {
			return (principal != null) ? principal.getName() : "anonymous";
		}

	}

	/**
	 * Stands in for a security filter: a request with an {@code X-User} header is
	 * authenticated as that user.
	 */
	static class UserHeaderFilter extends OncePerRequestFilter {

		@Override
		protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
				throws ServletException, IOException {
			String user = request.getHeader("X-User");
			if (user == null) {
				chain.doFilter(request, response);
				return;
			}
			Principal principal = () -> user;
			chain.doFilter(new HttpServletRequestWrapper(request) {

				@Override
				public Principal getUserPrincipal() {
					return principal;
				}

			}, response);
		}

	}

}
