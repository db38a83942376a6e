package io.realtime.webmvc.websocket;

import java.time.Duration;

import io.realtime.test.PaddedMessages;
import io.realtime.test.RawWebSocket;
import io.realtime.test.SmallSendBuffers;
import io.realtime.test.TestApplication;
import io.realtime.test.WebSocketTestClient;
import io.realtime.webmvc.ConnectionRegistry;
import io.realtime.webmvc.RealtimePublisher;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A WebSocket client that stops reading, with less queued for it than its send buffer holds,
 * loses its connection once a write has waited {@code realtime.send-time-limit}, and a client
 * reading on the same topic keeps receiving.
 */
@SpringBootTest(classes = { TestApplication.class, SmallSendBuffers.class },
		webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "realtime.send-time-limit=1s", "realtime.send-buffer-size=1MB" })
class StalledWebSocketClientIntegrationTests {

	@LocalServerPort
	int port;

	@Autowired
	RealtimePublisher publisher;

	@Autowired
	ConnectionRegistry registry;

	@Test
	void aClientThatNeverReadsAgainIsDisconnectedAfterTheSendTimeLimit() throws Exception {
		try (RawWebSocket stalled = RawWebSocket.connect(this.port, 4096);
				WebSocketTestClient reading = WebSocketTestClient.connect(this.port, null)) {
			stalled.sendText("{\"type\":\"subscribe\",\"topic\":\"stalled\"}");
			assertThat(stalled.readText()).contains("subscribed");
			reading.send("{\"type\":\"subscribe\",\"topic\":\"stalled\"}");
			await().atMost(Duration.ofSeconds(5)).until(() -> reading.frames("subscribed").size() == 1);

			// far more than the socket buffers hold, and less than the send buffer: only the
			// time limit can end this connection
			PaddedMessages.publishBurst(this.publisher, "stalled", 0, 200);
			await().atMost(Duration.ofSeconds(10)).until(() -> this.registry.count("websocket") == 1);
			await().atMost(Duration.ofSeconds(5)).until(() -> reading.frames("message").size() == 200);
		}
	}

}
