package io.realtime.webmvc;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import io.realtime.test.RealtimeHttpClient;
import io.realtime.test.SseStream;
import io.realtime.test.TestApplication;
import io.realtime.test.WebSocketTestClient;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * One client holding its share of connections cannot take the rest: its next one is refused
 * with 429 (WebSocket: close code 1013) while another client still connects. Clients are told
 * apart by X-Forwarded-For, trusted here, as behind a proxy.
 */
@SpringBootTest(classes = TestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "realtime.limits.enabled=true", "server.forward-headers-strategy=framework",
				"realtime.limits.connections-per-client=2",
				"realtime.sse.heartbeat=500ms" })
class RateLimitConnectionsIntegrationTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	@LocalServerPort
	int port;

	@Test
	void aClientAtItsConnectionShareIsRefusedWhileAnotherStillConnects() {
		RealtimeHttpClient http = new RealtimeHttpClient(this.port);
		try (SseStream first = SseStream.open(http.http(), sse(http, "10.2.0.1"));
				SseStream second = SseStream.open(http.http(), sse(http, "10.2.0.1"))) {
			assertThat(first.status()).isEqualTo(200);
			assertThat(second.status()).isEqualTo(200);

			HttpResponse<String> third = http.send(sse(http, "10.2.0.1").GET().build());
			assertThat(third.statusCode()).isEqualTo(429);
			assertThat(third.headers().firstValue("Content-Type")).hasValue("application/problem+json");
			assertThat(third.headers().firstValue("Retry-After")).isPresent();
			assertThat(RealtimeHttpClient.json(third).get("detail").asString()).contains("connections");
			try (WebSocketTestClient ws = WebSocketTestClient.connect(this.port, null,
					Map.of("X-Forwarded-For", "10.2.0.1"))) {
				assertThat(ws.closed()).succeedsWithin(WAIT).isEqualTo(1013);
			}

			try (SseStream other = SseStream.open(http.http(), sse(http, "10.2.0.2"));
					WebSocketTestClient ws = WebSocketTestClient.connect(this.port, null,
							Map.of("X-Forwarded-For", "10.2.0.2"))) {
				assertThat(other.status()).isEqualTo(200);
				ws.send("{\"type\":\"ping\"}");
				await().atMost(WAIT).until(() -> ws.frames("pong").size() == 1);
			}
		}
		// a closed stream gives its slot back once the server sees it gone (at the next heartbeat at the latest)
		await().atMost(WAIT).until(() -> {
			try (SseStream again = SseStream.open(http.http(), sse(http, "10.2.0.1"))) {
				return again.status() == 200;
			}
		});
	}

	private static HttpRequest.Builder sse(RealtimeHttpClient http, String client) {
		return HttpRequest.newBuilder(URI.create(http.base() + "/sse?topic=limits")).header("X-Forwarded-For", client);
	}

}
