package io.realtime.webmvc.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import io.realtime.core.Broker;
import io.realtime.webmvc.ConnectionRegistry;
import io.realtime.webmvc.RealtimeMetrics;
import io.realtime.webmvc.RealtimePublisher;
import io.realtime.test.AsyncRequests;
import io.realtime.test.PaddedMessages;
import io.realtime.test.RealtimeHttpClient;
import io.realtime.test.SmallSendBuffers;
import io.realtime.test.SseStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What an SSE stream must do however it is carried (taken over from its request, or an async
 * request): writes never block, so clients that stop reading are closed once their send buffer
 * fills while a reading client gets every message promptly; vanished clients are released; the
 * response is one a browser's {@code EventSource} reads. Subclasses import {@link AsyncRequests}
 * and {@link SmallSendBuffers}.
 */
abstract class AbstractSseStreamIntegrationTests {

	/** More stalled clients than the pool of writer threads, were writes to block. */
	private static final int STALLED = 10;

	/** Comfortably below the 16KB send buffer: a client that reads never overflows. */
	private static final int BURST = 8;

	/** 1MB in all: far more than the socket buffers between the server and a stalled client. */
	private static final int MAX_MESSAGES = 1000;

	/** A client that reads must never wait this long, whatever another client does. */
	private static final Duration PROMPT = Duration.ofSeconds(5);

	private final List<Socket> sockets = new ArrayList<>();

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

	@Autowired
	AsyncRequests asyncRequests;

	/** Check the response head: how the body is delimited differs. */
	abstract void assertHead(String head);

	/** Read what is left of a stream the server ended. */
	abstract void assertStreamEnds(InputStream in) throws IOException;

	/** Whether an open stream keeps its request open (async) rather than leaving it. */
	abstract boolean keepsItsRequest();

	@AfterEach
	void closeSockets() throws IOException {
		for (Socket socket : this.sockets) {
			socket.close();
		}
		await().atMost(PROMPT).until(() -> this.registry.count("sse") == 0);
		// no request is left open to hold up a graceful shutdown
		await().atMost(PROMPT).until(() -> this.asyncRequests.inProgress() == 0);
	}

	@Test
	void responseIsAnEventStreamThatStartsWithRetryAndReady() throws IOException {
		Socket socket = open("/realtime/sse?topic=shape", 0);
		String head = readUntil(socket.getInputStream(), "\r\n\r\n");
		assertThat(head).startsWith("HTTP/1.1 200")
			.containsIgnoringCase("Content-Type: text/event-stream")
			.containsIgnoringCase("Cache-Control: no-cache");
		assertHead(head);
		assertThat(readUntil(socket.getInputStream(), "event:ready")).contains("retry:3000");
		readUntil(socket.getInputStream(), "\n\n");
		this.publisher.publish("shape", Map.of("n", 1));
		readUntil(socket.getInputStream(), "event:message");
		assertThat(readUntil(socket.getInputStream(), "\n\n")).contains("\"n\":1");
	}

	@Test
	void clientsThatStopReadingAreClosedWhileAReadingClientReceivesEveryMessagePromptly() throws Exception {
		long slowBefore = this.metrics.slowConsumerCount();
		RealtimeHttpClient http = new RealtimeHttpClient(this.port);
		try (SseStream reading = SseStream.open(http.http(), http.uri("sse", List.of("slow"), null), null)) {
			await().atMost(PROMPT).until(() -> reading.events().size() >= 1);
			for (int i = 0; i < STALLED; i++) {
				Socket socket = open("/realtime/sse?topic=slow", 4096);
				readUntil(socket.getInputStream(), "event:ready");
			}
			assertThat(this.registry.count("sse")).isEqualTo(1 + STALLED);

			// the stalled clients read nothing more from here on
			int published = 0;
			while (this.metrics.slowConsumerCount() < slowBefore + STALLED && published < MAX_MESSAGES) {
				published = PaddedMessages.publishBurst(this.publisher, "slow", published, BURST);
				awaitReceived(reading, published);
			}
			assertThat(this.metrics.slowConsumerCount()).isEqualTo(slowBefore + STALLED);
			await().atMost(PROMPT).until(() -> this.registry.count("sse") == 1);
			assertThat(this.broker.subscriptionCount()).isEqualTo(1);

			for (int i = 0; i < 5; i++) {
				published = PaddedMessages.publishBurst(this.publisher, "slow", published, BURST);
				awaitReceived(reading, published);
			}
			assertThat(reading.messages()).extracting((event) -> RealtimeHttpClient.json(event.data()))
				.extracting((json) -> json.get("data").get("seq").asInt())
				.containsExactlyElementsOf(IntStream.rangeClosed(1, published).boxed().toList());
			assertThat(reading.ended()).isFalse();

			// reading again, a stalled client finds the end of its stream behind what its socket
			// held, and reconnects with the last id it read
			for (Socket socket : this.sockets) {
				assertStreamEnds(socket.getInputStream());
			}
		}
		await().atMost(PROMPT).until(() -> this.registry.count("sse") == 0);
		assertThat(this.broker.subscriptionCount()).isZero();
	}

	@Test
	void clientsThatVanishAreReleased() throws IOException {
		for (int i = 0; i < 20; i++) {
			readUntil(open("/realtime/sse?topic=vanish", 0).getInputStream(), "event:ready");
		}
		assertThat(this.registry.count("sse")).isEqualTo(20);
		int requests = keepsItsRequest() ? 20 : 0;
		await().atMost(PROMPT).until(() -> this.asyncRequests.inProgress() == requests);
		for (Socket socket : this.sockets) {
			socket.close();
		}
		await().atMost(PROMPT).until(() -> this.registry.count("sse") == 0);
		assertThat(this.broker.subscriptionCount()).isZero();
	}

	private static void awaitReceived(SseStream stream, int count) {
		await().atMost(PROMPT)
			.pollDelay(Duration.ZERO)
			.pollInterval(Duration.ofMillis(2))
			.until(() -> stream.messages().size() == count);
	}

	/** Send a GET on a bare socket; a receive buffer size of 0 keeps the system's. */
	private Socket open(String pathAndQuery, int receiveBuffer) throws IOException {
		Socket socket = new Socket();
		this.sockets.add(socket);
		if (receiveBuffer > 0) {
			socket.setReceiveBufferSize(receiveBuffer);
		}
		socket.connect(new InetSocketAddress("localhost", this.port), 5000);
		socket.setSoTimeout((int) PROMPT.toMillis());
		socket.getOutputStream()
			.write(("GET " + pathAndQuery + " HTTP/1.1\r\nHost: localhost:" + this.port
					+ "\r\nAccept: text/event-stream\r\n\r\n")
				.getBytes(StandardCharsets.US_ASCII));
		return socket;
	}

	/** Read byte by byte up to and including a marker, so nothing after it is consumed. */
	static String readUntil(InputStream in, String marker) throws IOException {
		ByteArrayOutputStream read = new ByteArrayOutputStream();
		while (!read.toString(StandardCharsets.UTF_8).endsWith(marker)) {
			int next = in.read();
			if (next == -1) {
				throw new IOException("stream ended before '" + marker + "': " + read);
			}
			read.write(next);
		}
		return read.toString(StandardCharsets.UTF_8);
	}

}
