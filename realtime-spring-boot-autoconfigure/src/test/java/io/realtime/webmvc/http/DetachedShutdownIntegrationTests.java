package io.realtime.webmvc.http;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import io.realtime.webmvc.ConnectionRegistry;
import io.realtime.test.RealtimeHttpClient;
import io.realtime.test.TestApplication;
import io.realtime.test.TomcatFastPath;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * On shutdown, SSE streams and waiting long polls taken over from their requests end at once,
 * before the web server stops: closed from the application's thread, their sockets close too.
 */
@TomcatFastPath
@SpringBootTest(classes = TestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = "realtime.long-poll.detach=true")
@DirtiesContext
class DetachedShutdownIntegrationTests {

	@LocalServerPort
	int port;

	@Autowired
	ConnectionRegistry registry;

	@Test
	void streamsAndWaitingPollsEndWhenTheRegistryStops() throws IOException {
		String cursor = new RealtimeHttpClient(this.port).poll("poll", List.of("bye"), null).get("cursor").asString();
		try (Socket sse = open("/realtime/sse?topic=bye");
				Socket poll = open("/realtime/long-poll?topic=bye&cursor=" + cursor)) {
			AbstractSseStreamIntegrationTests.readUntil(sse.getInputStream(), "event:ready");
			AbstractSseStreamIntegrationTests.readUntil(poll.getInputStream(), "\r\n\r\n");
			await().atMost(Duration.ofSeconds(5)).until(() -> this.registry.count() == 2);

			this.registry.stop();

			// the stream ends; the poll answers empty, then ends
			assertEnds(sse.getInputStream());
			assertThat(new String(poll.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
				.startsWith("{\"messages\":[]");
		}
	}

	private static void assertEnds(InputStream in) throws IOException {
		byte[] rest = new byte[1024];
		while (in.read(rest) != -1) {
			// heartbeats, if any, until the end
		}
	}

	private Socket open(String pathAndQuery) throws IOException {
		Socket socket = new Socket();
		socket.connect(new InetSocketAddress("localhost", this.port), 5000);
		socket.setSoTimeout(5000);
		socket.getOutputStream()
			.write(("GET " + pathAndQuery + " HTTP/1.1\r\nHost: localhost\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
		return socket;
	}

}
