package io.realtime.webmvc.websocket;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.List;

import io.realtime.test.RealtimeHttpClient;
import io.realtime.test.TestApplication;
import io.realtime.test.WebSocketTestClient;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * The WebSocket handshake admits the same origin, non-browser clients (no {@code Origin}) and
 * the configured {@code realtime.allowed-origins}, and refuses any other origin with a 403; the
 * HTTP endpoints answer cross-origin requests with CORS headers only for configured origins.
 */
class WebSocketOriginIntegrationTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	@Nested
	@SpringBootTest(classes = TestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT)
	class SameOriginOnly {

		@LocalServerPort
		int port;

		@Test
		void foreignOriginIsRefusedWith403() {
			assertHandshakeRefused(this.port, "http://evil.example");
		}

		@Test
		void sameOriginConnects() {
			assertConnects(this.port, "http://localhost:" + this.port);
		}

		@Test
		void clientWithoutOriginConnects() {
			assertConnects(this.port, null);
		}

		@Test
		void pollFromForeignOriginGetsNoCorsHeader() {
			HttpResponse<String> response = pollWithOrigin(this.port, "http://evil.example");
			assertThat(response.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
		}

	}

	@Nested
	@SpringBootTest(classes = TestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
			properties = "realtime.allowed-origins=https://app.example")
	class ConfiguredOrigins {

		@LocalServerPort
		int port;

		@Test
		void configuredOriginConnects() {
			assertConnects(this.port, "https://app.example");
		}

		@Test
		void otherOriginIsRefusedWith403() {
			assertHandshakeRefused(this.port, "https://other.example");
		}

		@Test
		void pollFromConfiguredOriginGetsCorsHeader() {
			HttpResponse<String> response = pollWithOrigin(this.port, "https://app.example");
			assertThat(response.statusCode()).isEqualTo(200);
			assertThat(response.headers().firstValue("Access-Control-Allow-Origin")).hasValue("https://app.example");
		}

		@Test
		void pollFromOtherOriginGetsNoCorsHeader() {
			HttpResponse<String> response = pollWithOrigin(this.port, "https://other.example");
			assertThat(response.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
		}

	}

	private static void assertHandshakeRefused(int port, String origin) {
		assertThatExceptionOfType(IllegalStateException.class)
			.isThrownBy(() -> WebSocketTestClient.connect(port, origin))
			.satisfies((ex) -> assertThat(handshakeFailure(ex).getResponse().statusCode()).isEqualTo(403));
	}

	private static WebSocketHandshakeException handshakeFailure(Throwable ex) {
		for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
			if (cause instanceof WebSocketHandshakeException handshake) {
				return handshake;
			}
		}
		throw new AssertionError("expected a WebSocketHandshakeException, got " + ex, ex);
	}

	private static void assertConnects(int port, String origin) {
		try (WebSocketTestClient client = WebSocketTestClient.connect(port, origin)) {
			client.send("{\"type\":\"ping\"}");
			await().atMost(WAIT).until(() -> client.frames("pong").size() == 1);
		}
	}

	private static HttpResponse<String> pollWithOrigin(int port, String origin) {
		RealtimeHttpClient http = new RealtimeHttpClient(port);
		URI uri = http.uri("poll", List.of("origins"), null);
		return http.send(HttpRequest.newBuilder(uri).header("Origin", origin).GET().build());
	}

}
