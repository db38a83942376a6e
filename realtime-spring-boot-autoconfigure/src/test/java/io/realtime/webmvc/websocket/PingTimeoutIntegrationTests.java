package io.realtime.webmvc.websocket;

import java.io.IOException;
import java.time.Duration;

import io.realtime.test.RawWebSocket;
import io.realtime.test.TestApplication;
import io.realtime.test.WebSocketTestClient;
import io.realtime.webmvc.ConnectionRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Pings find WebSocket clients that are gone without a close: one that answers none is closed
 * with 1001 after two intervals, one that answers stays open.
 */
@SpringBootTest(classes = TestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = "realtime.websocket.ping-interval=200ms")
class PingTimeoutIntegrationTests {

	@LocalServerPort
	int port;

	@Autowired
	ConnectionRegistry registry;

	@Test
	void aClientThatAnswersNoPingIsClosedWith1001() throws IOException {
		try (RawWebSocket socket = RawWebSocket.connect(this.port, 64 * 1024)) {
			assertThat(socket.readUntilClose()).isEqualTo(1001);
		}
		await().atMost(Duration.ofSeconds(5)).until(() -> this.registry.count("websocket") == 0);
	}

	@Test
	void aClientThatAnswersPingsStaysOpen() {
		WebSocketTestClient client = WebSocketTestClient.connect(this.port, null);
		// ten ping intervals: two unanswered would have closed it
		await().during(Duration.ofSeconds(2))
			.atMost(Duration.ofSeconds(5))
			.until(() -> this.registry.count("websocket") == 1);
		client.close();
	}

}
