package io.realtime.webmvc.upload;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.realtime.test.TestApplication;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Upload bodies trickling in hold no container thread: with four request threads (eight on Jetty), ten stalled
 * {@code PATCH}es, and as many waiting for the uploads those hold, leave the server answering
 * everyone else at once; the uploads complete byte for byte once their bytes come.
 */
@SpringBootTest(classes = TestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "realtime.upload.enabled=true", "realtime.upload.max-unfinished-per-client=20",
				"realtime.upload.body-idle-timeout=1m", "server.tomcat.threads.max=4",
				"server.tomcat.threads.min-spare=1", "server.jetty.threads.max=8", "server.jetty.threads.min=2" })
class UploadSlowBodiesIntegrationTests {

	private static final int SLOW = 10;

	private static final int LENGTH = 100_000;

	private static final int FIRST = 1_000;

	/** Bounds every request that must be answered while the slow bodies stall. */
	private static final Duration PROMPTLY = Duration.ofSeconds(5);

	@TempDir
	static Path directory;

	@DynamicPropertySource
	static void directory(DynamicPropertyRegistry registry) {
		registry.add("realtime.upload.directory", () -> directory.toString());
	}

	@LocalServerPort
	int port;

	private TusClient tus;

	@BeforeEach
	void connect() {
		this.tus = new TusClient(this.port, PROMPTLY);
	}

	@Autowired
	UploadStore store;

	@Test
	void stalledBodiesHoldNoThreadAndCompleteOnceTheirBytesCome() throws Exception {
		List<String> locations = new ArrayList<>();
		List<byte[]> files = new ArrayList<>();
		List<Socket> sockets = new ArrayList<>();
		try {
			for (int i = 0; i < SLOW; i++) {
				byte[] bytes = UploadIntegrationTests.bytes(LENGTH + i);
				String location = this.tus.create(bytes.length);
				Socket socket = new Socket("localhost", this.port);
				socket.setSoTimeout(10_000);
				OutputStream out = socket.getOutputStream();
				out.write(patchHead(location, 0, bytes.length));
				out.write(bytes, 0, FIRST);
				out.flush();
				locations.add(location);
				files.add(bytes);
				sockets.add(socket);
			}
			// more stalled bodies than threads, and every other request is still answered at once
			for (String location : locations) {
				await().atMost(PROMPTLY).until(() -> this.tus.offset(location) == FIRST);
			}
			// as many again wait for the uploads the stalled bodies hold, without a thread either
			List<CompletableFuture<HttpResponse<String>>> waiting = new ArrayList<>();
			for (String location : locations) {
				waiting.add(this.tus.sendAsync(this.tus.request(location).timeout(Duration.ofSeconds(30))
					.header("Upload-Offset", Integer.toString(FIRST))
					.header("Content-Type", "application/offset+octet-stream")
					.method("PATCH", BodyPublishers.ofByteArray(new byte[10]))));
			}
			byte[] other = UploadIntegrationTests.bytes(5_000);
			String location = this.tus.create(other.length);
			HttpResponse<String> patched = this.tus.send(this.tus.request(location).header("Upload-Offset", "0")
				.header("Content-Type", "application/offset+octet-stream")
				.method("PATCH", BodyPublishers.ofByteArray(other)));
			assertThat(patched.statusCode()).isEqualTo(204);
			assertThat(Files.readAllBytes(this.store.file(TusClient.id(location)))).isEqualTo(other);
			HttpResponse<String> poll = this.tus.send(HttpRequest.newBuilder(URI
				.create("http://localhost:" + this.port + "/realtime/poll?topic=uploads/" + TusClient.id(location) + "&rewind=10")));
			assertThat(poll.statusCode()).isEqualTo(200);
			assertThat(poll.body()).contains("\"complete\":true");
			// the rest of every slow body: each completes, byte for byte
			for (int i = 0; i < SLOW; i++) {
				byte[] bytes = files.get(i);
				OutputStream out = sockets.get(i).getOutputStream();
				out.write(bytes, FIRST, bytes.length - FIRST);
				out.flush();
			}
			for (int i = 0; i < SLOW; i++) {
				assertThat(statusLine(sockets.get(i).getInputStream())).startsWith("HTTP/1.1 204");
				assertThat(Files.readAllBytes(this.store.file(TusClient.id(locations.get(i))))).isEqualTo(files.get(i));
			}
			// the waiting requests then got their turn, and found the uploads moved on
			for (CompletableFuture<HttpResponse<String>> response : waiting) {
				assertThat(response.get(15, TimeUnit.SECONDS).statusCode()).isEqualTo(409);
			}
		}
		finally {
			for (Socket socket : sockets) {
				socket.close();
			}
		}
	}

	static byte[] patchHead(String location, long offset, long length) {
		return ("PATCH " + location + " HTTP/1.1\r\nHost: localhost\r\nTus-Resumable: 1.0.0\r\nUpload-Offset: " + offset
				+ "\r\nContent-Type: application/offset+octet-stream\r\nContent-Length: " + length + "\r\n\r\n")
			.getBytes(StandardCharsets.US_ASCII);
	}

	/** The response's head, up to the blank line, as the server sent it. */
	static String responseHead(InputStream in) throws Exception {
		StringBuilder head = new StringBuilder();
		int read;
		while ((read = in.read()) >= 0) {
			head.append((char) read);
			if (head.toString().endsWith("\r\n\r\n")) {
				break;
			}
		}
		return head.toString();
	}

	static String statusLine(InputStream in) throws Exception {
		return responseHead(in).lines().findFirst().orElse("");
	}

}
