package io.realtime.webmvc.websocket;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import io.realtime.test.RealtimeHttpClient;
import io.realtime.test.TestApplication;
import io.realtime.test.WebSocketTestClient;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * The WebSocket handshake admits the same origin, non-browser clients (no {@code Origin}) and
 * the configured {@code realtime.allowed-origins}, and refuses any other origin, or one that is
 * no URL, with a 403 problem and no error logged; the HTTP endpoints answer cross-origin requests
 * with CORS headers only for configured origins, and refuse others with a 403 problem once some
 * are configured.
 */
class WebSocketOriginIntegrationTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	@Nested
	@ExtendWith(OutputCaptureExtension.class)
	@SpringBootTest(classes = TestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT)
	class SameOriginOnly {

		@LocalServerPort
		int port;

		@Test
		void foreignOriginIsRefusedWith403() {
			assertHandshakeRefused(this.port, "http://evil.example");
		}

		@Test
		void unreadableOriginIsRefusedWith403ProblemAndNoError(CapturedOutput output) throws IOException {
			String origin = "http://localhost:" + this.port + ".evil.com";
			assertHandshakeRefused(this.port, origin);
			assertRefusedWithProblem(rawHandshake(this.port, origin));
			assertThat(output).doesNotContain("ERROR").doesNotContain("Exception");
		}

		@Test
		void foreignOriginGetsProblemBody() throws IOException {
			assertRefusedWithProblem(rawHandshake(this.port, "http://evil.example"));
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
		void otherOriginGetsProblemBody() throws IOException {
			assertRefusedWithProblem(rawHandshake(this.port, "https://other.example"));
		}

		@Test
		void pollFromOtherOriginIsRefusedWithProblem() {
			HttpResponse<String> response = pollWithOrigin(this.port, "https://other.example");
			assertThat(response.statusCode()).isEqualTo(403);
			assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
					(type) -> assertThat(type).startsWith("application/problem+json"));
			assertThat(response.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
		}

	}

	private static void assertHandshakeRefused(int port, String origin) {
		assertThatExceptionOfType(IllegalStateException.class)
			.isThrownBy(() -> WebSocketTestClient.connect(port, origin))
			.satisfies((ex) -> assertThat(handshakeFailure(ex).getResponse().statusCode()).isEqualTo(403));
	}

	private static void assertRefusedWithProblem(String response) {
		assertThat(response).startsWith("HTTP/1.1 403")
			.containsIgnoringCase("Content-Type: application/problem+json")
			.contains("\"status\":403");
	}

	/** A handshake written by hand, since the JDK's WebSocket client shows no body of a refusal. */
	private static String rawHandshake(int port, String origin) throws IOException {
		try (Socket socket = new Socket("localhost", port)) {
			socket.setSoTimeout((int) WAIT.toMillis());
			socket.getOutputStream()
				.write(("GET /realtime/ws HTTP/1.1\r\nHost: localhost:" + port + "\r\nOrigin: " + origin
						+ "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
						+ "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
					.getBytes(StandardCharsets.US_ASCII));
			BufferedReader in = new BufferedReader(
					new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
			StringBuilder response = new StringBuilder();
			int length = 0;
			for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
				response.append(line).append('\n');
				if (line.regionMatches(true, 0, "Content-Length:", 0, 15)) {
					length = Integer.parseInt(line.substring(15).trim());
				}
			}
			char[] body = new char[length];
			int read = 0;
			while (read < length) {
				int n = in.read(body, read, length - read);
				if (n < 0) {
					break;
				}
				read += n;
			}
			return response.append('\n').append(body, 0, read).toString();
		}
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
