package io.realtime.webmvc.http;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
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
 * Publish bodies still on their way hold no thread, so their bytes are bounded on their own:
 * past {@code realtime.publish.bodies-in-flight} a publish whose body has not arrived whole is
 * refused at once, while whole small publishes go on, and the room comes back as bodies end.
 */
@SpringBootTest(classes = TestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "realtime.publish.allowed-topics=chat", "realtime.publish.body-timeout=3s",
				"realtime.publish.bodies-in-flight=120000B" })
class BodiesInFlightIntegrationTests {

	private static final String HEAD = "POST /realtime/publish?topic=chat HTTP/1.1\r\nHost: localhost\r\n"
			+ "Content-Type: application/json\r\nContent-Length: 60000\r\n\r\n";

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
	void bodiesPastTheBoundAreRefusedUntilRoomComesBack() throws IOException {
		// 2 × 60,000 bytes fit: of three bodies on their way, one is refused at once
		List<Socket> tricklers = List.of(trickle(), trickle(), trickle());
		RealtimeHttpClient client = new RealtimeHttpClient(this.port);
		assertThat(client.publish("chat", "application/json", "{\"whole\":true}").statusCode()).isEqualTo(202);
		List<String> answers = new ArrayList<>();
		for (Socket trickler : tricklers) {
			answers.add(answer(trickler));
		}
		assertThat(answers).filteredOn((answer) -> answer.startsWith("HTTP/1.1 503")).singleElement()
			.satisfies((answer) -> assertThat(answer).contains("application/problem+json")
				.contains("too many publish bodies on their way"));
		assertThat(answers).filteredOn((answer) -> answer.startsWith("HTTP/1.1 408")).hasSize(2);
		// their room is back: a body on its way is read and published
		Socket next = trickle();
		next.getOutputStream().write(("\"" + "x".repeat(59_996) + "\"]").getBytes(StandardCharsets.ISO_8859_1));
		assertThat(answer(next)).startsWith("HTTP/1.1 202");
	}

	/** A publish whose body has begun: one byte of 60,000. */
	private Socket trickle() throws IOException {
		Socket socket = new Socket("localhost", this.port);
		socket.setSoTimeout(20_000);
		socket.getOutputStream().write((HEAD + "[").getBytes(StandardCharsets.ISO_8859_1));
		this.sockets.add(socket);
		return socket;
	}

	private static String answer(Socket socket) throws IOException {
		byte[] head = new byte[2048];
		int read = socket.getInputStream().read(head);
		return new String(head, 0, Math.max(read, 0), StandardCharsets.ISO_8859_1);
	}

}
