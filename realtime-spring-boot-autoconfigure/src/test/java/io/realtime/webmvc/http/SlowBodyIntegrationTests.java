package io.realtime.webmvc.http;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.realtime.test.RealtimeHttpClient;
import io.realtime.test.TestApplication;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Clients that trickle their publish bodies hold no thread: as many of them as the container
 * has request threads do not delay anybody else, and each is answered {@code 408} at the
 * deadline.
 */
@SpringBootTest(classes = TestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "realtime.publish.allowed-topics=chat", "realtime.publish.body-timeout=4s" })
class SlowBodyIntegrationTests {

	/** Tomcat's default request thread count in Spring Boot. */
	private static final int TRICKLERS = 200;

	@LocalServerPort
	int port;

	private final List<Socket> sockets = new ArrayList<>();

	@AfterEach
	void close() throws IOException {
		for (Socket socket : this.sockets) {
			socket.close();
		}
	}

	@Test
	void tricklingBodiesDelayNobodyAndAreTimedOut() throws Exception {
		for (int i = 0; i < TRICKLERS; i++) {
			Socket socket = new Socket("localhost", this.port);
			socket.setSoTimeout(20_000);
			socket.getOutputStream()
				.write(("POST /realtime/publish?topic=chat HTTP/1.1\r\nHost: localhost\r\n"
						+ "Content-Type: application/json\r\nContent-Length: 60000\r\n\r\n1")
					.getBytes(StandardCharsets.ISO_8859_1));
			this.sockets.add(socket);
		}
		RealtimeHttpClient client = new RealtimeHttpClient(this.port);
		for (int i = 0; i < 5; i++) {
			HttpResponse<String> poll = client.send(HttpRequest
				.newBuilder(URI.create(client.base() + "/poll?topic=chat"))
				.timeout(Duration.ofSeconds(3))
				.build());
			assertThat(poll.statusCode()).isEqualTo(200);
			client.publishJson("chat", "{\"n\":" + i + "}");
		}
		for (Socket socket : this.sockets) {
			String answer = readAll(socket.getInputStream());
			assertThat(answer).startsWith("HTTP/1.1 408").contains("application/problem+json")
				.contains("did not arrive within 4000 ms");
		}
	}

	private static String readAll(InputStream in) throws IOException {
		return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
	}

}
