package io.realtime.webmvc.websocket;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import io.realtime.core.Broker;
import io.realtime.webmvc.ConnectionRegistry;
import io.realtime.webmvc.RealtimeMetrics;
import io.realtime.webmvc.RealtimePublisher;
import io.realtime.test.RawWebSocket;
import io.realtime.test.PaddedMessages;
import io.realtime.test.RealtimeHttpClient;
import io.realtime.test.SmallSendBuffers;
import io.realtime.test.TestApplication;
import io.realtime.test.WebSocketTestClient;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * WebSocket clients that stop reading are closed with {@code 1013} (which reaches them when they
 * read again within the send time limit) once their send buffer fills, and release their subscriptions, while a
 * client reading normally on the same topic keeps receiving every message, in order and without
 * delay: slow clients harm nobody else.
 */
@SpringBootTest(classes = { TestApplication.class, SmallSendBuffers.class },
		webEnvironment = WebEnvironment.RANDOM_PORT, properties = "realtime.send-buffer-size=16KB")
class SlowConsumerIntegrationTests {

	/** More stalled clients than a pool of writer threads would have, were writes to block. */
	private static final int STALLED = 10;

	/** Comfortably below the 16KB send buffer: a client that reads never overflows. */
	private static final int BURST = 8;

	/** 1MB in all: far more than the socket buffers between the server and a stalled client. */
	private static final int MAX_MESSAGES = 1000;

	/** A client that reads must never wait this long, whatever another client does. */
	private static final Duration PROMPT = Duration.ofSeconds(5);

	@LocalServerPort
	int port;

	@Autowired
	RealtimePublisher publisher;

	@Autowired
	RealtimeMetrics metrics;

	@Autowired
	ConnectionRegistry registry;

	@Autowired
	Broker broker;

	@Test
	void clientsThatStopReadingAreClosedWhileAReadingClientReceivesEveryMessagePromptly() throws Exception {
		long slowBefore = this.metrics.slowConsumerCount();
		List<RawWebSocket> stalled = new ArrayList<>();
		try (WebSocketTestClient reading = WebSocketTestClient.connect(this.port, null)) {
			reading.send("{\"type\":\"subscribe\",\"topic\":\"slow\"}");
			await().atMost(PROMPT).until(() -> reading.frames("subscribed").size() == 1);
			for (int i = 0; i < STALLED; i++) {
				RawWebSocket client = RawWebSocket.connect(this.port, 4096);
				stalled.add(client);
				client.sendText("{\"type\":\"subscribe\",\"topic\":\"slow\"}");
				assertThat(RealtimeHttpClient.json(client.readText()).get("type").asString()).isEqualTo("subscribed");
			}
			assertThat(this.registry.count("websocket")).isEqualTo(1 + STALLED);

			// the stalled clients read nothing more from here on
			int published = 0;
			while (this.metrics.slowConsumerCount() < slowBefore + STALLED && published < MAX_MESSAGES) {
				published = PaddedMessages.publishBurst(this.publisher, "slow", published, BURST);
				awaitReceived(reading, published);
			}
			assertThat(this.metrics.slowConsumerCount()).isEqualTo(slowBefore + STALLED);
			await().atMost(PROMPT).until(() -> this.registry.count("websocket") == 1);
			assertThat(this.broker.subscriptionCount()).isEqualTo(1);

			// the reading client goes on as if nothing happened
			for (int i = 0; i < 5; i++) {
				published = PaddedMessages.publishBurst(this.publisher, "slow", published, BURST);
				awaitReceived(reading, published);
			}
			assertThat(reading.frames("message")).extracting(SlowConsumerIntegrationTests::sequence)
				.containsExactlyElementsOf(IntStream.rangeClosed(1, published).boxed().toList());
			assertThat(reading.closed()).isNotDone();

			// reading again within the send time limit, a stalled client finds the 1013 close frame
			// behind what was already in its socket, and knows to resume with since
			for (RawWebSocket client : stalled) {
				assertThat(client.readUntilClose()).isEqualTo(1013);
			}
		}
		finally {
			for (RawWebSocket client : stalled) {
				client.close();
			}
		}
		await().atMost(PROMPT).until(() -> this.registry.count("websocket") == 0);
		assertThat(this.broker.subscriptionCount()).isZero();
	}

	private static void awaitReceived(WebSocketTestClient client, int count) {
		await().atMost(PROMPT)
			.pollDelay(Duration.ZERO)
			.pollInterval(Duration.ofMillis(2))
			.until(() -> client.frames("message").size() == count);
	}

	private static int sequence(JsonNode frame) {
		return frame.get("data").get("seq").asInt();
	}

}
