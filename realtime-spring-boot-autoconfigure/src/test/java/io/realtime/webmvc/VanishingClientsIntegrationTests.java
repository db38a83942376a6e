package io.realtime.webmvc;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.realtime.core.Broker;
import io.realtime.test.TestApplication;
import io.realtime.test.WebSocketTestClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Clients that vanish without a goodbye (the TCP connection simply drops, as when a laptop
 * lid closes or a proxy gives up) leave no connection and no subscription behind: heartbeats
 * find dead SSE streams, the timeout ends abandoned long polls, and the container reports
 * aborted WebSockets.
 */
@SpringBootTest(classes = TestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "realtime.sse.heartbeat=200ms", "realtime.long-poll.timeout=10s" })
class VanishingClientsIntegrationTests {

	private static final int CLIENTS = 200;

	private static final Duration OPEN = Duration.ofSeconds(20);

	/** A few heartbeats, with room for a busy machine. */
	private static final Duration RELEASED = Duration.ofSeconds(10);

	/**
	 * One long-poll timeout, with room: a container may notice a vanished poller only then. The
	 * timeout is long enough that all pollers are waiting at once before any times out, which
	 * took more than 2 s on a busy machine.
	 */
	private static final Duration LONG_POLL_RELEASED = Duration.ofSeconds(20);

	private final List<Socket> sockets = new ArrayList<>();

	@LocalServerPort
	int port;

	@Autowired
	Broker broker;

	@Autowired
	ConnectionRegistry registry;

	@AfterEach
	void closeSockets() throws IOException {
		for (Socket socket : this.sockets) {
			socket.close();
		}
	}

	@Test
	void sseClientsThatVanishAreReleased() throws IOException {
		for (int i = 0; i < CLIENTS; i++) {
			open("/realtime/sse?topic=vanish-sse&topic=vanish-" + (i % 10));
		}
		await().atMost(OPEN).until(() -> this.registry.count("sse") == CLIENTS);
		await().atMost(OPEN).until(() -> this.broker.subscriptionCount() == 2 * CLIENTS);

		vanish();
		await().atMost(RELEASED).until(() -> this.registry.count("sse") == 0);
		await().atMost(RELEASED).until(() -> this.broker.subscriptionCount() == 0);
		assertThat(this.registry.count()).isZero();
	}

	@Test
	void longPollersThatVanishAreReleased() throws IOException {
		for (int i = 0; i < CLIENTS; i++) {
			open("/realtime/long-poll?topic=vanish-long-poll&topic=vanish-" + (i % 10));
		}
		await().atMost(OPEN).until(() -> this.registry.count("long-poll") == CLIENTS);
		await().atMost(OPEN).until(() -> this.broker.subscriptionCount() == 2 * CLIENTS);

		vanish();
		await().atMost(LONG_POLL_RELEASED).until(() -> this.registry.count("long-poll") == 0);
		await().atMost(RELEASED).until(() -> this.broker.subscriptionCount() == 0);
		assertThat(this.registry.count()).isZero();
	}

	@Test
	void abortedWebSocketIsReleased() {
		WebSocketTestClient client = WebSocketTestClient.connect(this.port, null);
		client.send("{\"type\":\"subscribe\",\"topic\":\"vanish-ws\"}");
		await().atMost(OPEN).until(() -> client.frames("subscribed").size() == 1);
		assertThat(this.registry.count("websocket")).isEqualTo(1);
		assertThat(this.broker.subscriptionCount()).isEqualTo(1);

		client.socket().abort();
		await().atMost(RELEASED).until(() -> this.registry.count("websocket") == 0);
		await().atMost(RELEASED).until(() -> this.broker.subscriptionCount() == 0);
	}

	/** Send a GET on a bare socket and never read the answer. */
	private void open(String pathAndQuery) throws IOException {
		Socket socket = new Socket();
		this.sockets.add(socket);
		socket.connect(new InetSocketAddress("localhost", this.port), 5000);
		OutputStream out = socket.getOutputStream();
		out.write(("GET " + pathAndQuery + " HTTP/1.1\r\nHost: localhost:" + this.port
				+ "\r\nAccept: text/event-stream\r\n\r\n")
			.getBytes(StandardCharsets.US_ASCII));
		out.flush();
	}

	/** Drop every connection at once, with no request to end the stream first. */
	private void vanish() throws IOException {
		for (Socket socket : this.sockets) {
			socket.close();
		}
	}

}
