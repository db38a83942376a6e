package io.realtime.webmvc.http;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.realtime.test.RealtimeHttpClient;
import io.realtime.test.TomcatFastPath;
import org.junit.jupiter.api.Test;

import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Long polls taken over from their requests while they wait ({@code realtime.long-poll.detach}):
 * the same replies, on a response whose body ends when the server closes the connection.
 */
@TomcatFastPath
@TestPropertySource(properties = "realtime.long-poll.detach=true")
class DetachedLongPollIntegrationTests extends LongPollIntegrationTests {

	@Test
	void aWaitingPollIsAnOrdinaryResponseEndedByClosingTheConnection() throws IOException {
		String cursor = new RealtimeHttpClient(this.port).poll("poll", List.of("detached"), null)
			.get("cursor")
			.asString();
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress("localhost", this.port), 5000);
			socket.setSoTimeout(5000);
			socket.getOutputStream()
				.write(("GET /realtime/long-poll?topic=detached&cursor=" + cursor
						+ " HTTP/1.1\r\nHost: localhost\r\n\r\n")
					.getBytes(StandardCharsets.US_ASCII));
			InputStream in = socket.getInputStream();
			String head = AbstractSseStreamIntegrationTests.readUntil(in, "\r\n\r\n");
			assertThat(head).startsWith("HTTP/1.1 200")
				.containsIgnoringCase("Content-Type: application/json")
				.containsIgnoringCase("Cache-Control: no-store")
				.containsIgnoringCase("Connection: close")
				.doesNotContainIgnoringCase("Content-Length")
				.doesNotContainIgnoringCase("Transfer-Encoding");
			await().atMost(Duration.ofSeconds(5)).until(() -> this.registry.count("long-poll") == 1);
			this.publisher.publish("detached", Map.of("n", 7));
			String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
			assertThat(body).startsWith("{\"messages\":[").contains("\"n\":7").contains("\"cursor\":\"");
		}
		await().atMost(Duration.ofSeconds(5)).until(() -> this.registry.count("long-poll") == 0);
	}

}
