package io.realtime.webmvc.upload;

import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
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
 * A body that stops sending is ended after {@code realtime.upload.body-idle-timeout}: answered
 * {@code 408} on a closed connection, what arrived kept (with a checksum, none of it), and the
 * upload let go, so the client resumes it.
 */
@SpringBootTest(classes = TestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "realtime.upload.enabled=true", "realtime.upload.body-idle-timeout=500ms" })
class UploadIdleBodyIntegrationTests {

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
		this.tus = new TusClient(this.port);
	}

	@Autowired
	UploadStore store;

	@Test
	void aStalledBodyEndsAfterTheIdleTimeoutKeepingWhatArrivedAndTheUploadResumes() throws Exception {
		byte[] bytes = UploadIntegrationTests.bytes(200_000);
		String location = this.tus.create(bytes.length);
		try (Socket socket = new Socket("localhost", this.port)) {
			socket.setSoTimeout(10_000);
			OutputStream out = socket.getOutputStream();
			out.write(UploadSlowBodiesIntegrationTests.patchHead(location, 0, bytes.length));
			out.write(bytes, 0, 70_000);
			out.flush();
			// answered without the rest of its body, on a connection not to be used again
			String head = UploadSlowBodiesIntegrationTests.responseHead(socket.getInputStream());
			assertThat(head).startsWith("HTTP/1.1 408").containsIgnoringCase("Connection: close");
		}
		assertThat(this.tus.offset(location)).isEqualTo(70_000);
		HttpResponse<String> patched = this.tus.patch(location, 70_000, Arrays.copyOfRange(bytes, 70_000, bytes.length), null);
		assertThat(patched.statusCode()).isEqualTo(204);
		assertThat(Files.readAllBytes(this.store.file(TusClient.id(location)))).isEqualTo(bytes);
	}

	@Test
	void aRequestForAnUploadAStalledBodyHoldsWaitsWithoutAThreadAndGoesOnOnceItEnds() throws Exception {
		byte[] bytes = UploadIntegrationTests.bytes(150_000);
		String location = this.tus.create(bytes.length);
		try (Socket socket = new Socket("localhost", this.port)) {
			OutputStream out = socket.getOutputStream();
			out.write(UploadSlowBodiesIntegrationTests.patchHead(location, 0, bytes.length));
			out.write(bytes, 0, 50_000);
			out.flush();
			await().atMost(Duration.ofSeconds(10)).until(() -> this.tus.offset(location) == 50_000);
			// the client, believing its connection lost, resumes while the server still reads it
			CompletableFuture<HttpResponse<String>> resumed = this.tus.sendAsync(
					this.tus.patchRequest(location, 50_000, Arrays.copyOfRange(bytes, 50_000, bytes.length), null));
			assertThat(resumed.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(204);
		}
		assertThat(Files.readAllBytes(this.store.file(TusClient.id(location)))).isEqualTo(bytes);
	}

	@Test
	void aStalledBodyWithAChecksumKeepsNothing() throws Exception {
		byte[] bytes = UploadIntegrationTests.bytes(100_000);
		String location = this.tus.create(bytes.length);
		String checksum = "sha1 " + Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-1").digest(bytes));
		try (Socket socket = new Socket("localhost", this.port)) {
			socket.setSoTimeout(10_000);
			OutputStream out = socket.getOutputStream();
			out.write(("PATCH " + location + " HTTP/1.1\r\nHost: localhost\r\nTus-Resumable: 1.0.0\r\nUpload-Offset: 0"
					+ "\r\nUpload-Checksum: " + checksum
					+ "\r\nContent-Type: application/offset+octet-stream\r\nContent-Length: " + bytes.length + "\r\n\r\n")
				.getBytes());
			out.write(bytes, 0, 30_000);
			out.flush();
			assertThat(UploadSlowBodiesIntegrationTests.statusLine(socket.getInputStream())).startsWith("HTTP/1.1 408");
		}
		assertThat(this.tus.offset(location)).isZero();
		assertThat(this.tus.patch(location, 0, bytes, checksum).statusCode()).isEqualTo(204);
		assertThat(Files.readAllBytes(this.store.file(TusClient.id(location)))).isEqualTo(bytes);
	}

	@Test
	void aBodyWithoutLengthIsReadToItsEndAndOneWithNoneIsAnsweredAtOnce() throws Exception {
		byte[] bytes = UploadIntegrationTests.bytes(3_000);
		String location = this.tus.create(bytes.length);
		try (Socket socket = new Socket("localhost", this.port)) {
			socket.setSoTimeout(10_000);
			OutputStream out = socket.getOutputStream();
			String head = "PATCH " + location + " HTTP/1.1\r\nHost: localhost\r\nTus-Resumable: 1.0.0\r\n"
					+ "Content-Type: application/offset+octet-stream\r\n";
			// no body at all: nothing to wait for
			out.write((head + "Upload-Offset: 0\r\n\r\n").getBytes());
			out.flush();
			String answer = UploadSlowBodiesIntegrationTests.responseHead(socket.getInputStream());
			assertThat(answer).startsWith("HTTP/1.1 204").contains("Upload-Offset: 0");
		}
		try (Socket socket = new Socket("localhost", this.port)) {
			socket.setSoTimeout(10_000);
			OutputStream out = socket.getOutputStream();
			String head = "PATCH " + location + " HTTP/1.1\r\nHost: localhost\r\nTus-Resumable: 1.0.0\r\n"
					+ "Content-Type: application/offset+octet-stream\r\n";
			// a chunked body, in two chunks
			out.write((head + "Upload-Offset: 0\r\nTransfer-Encoding: chunked\r\n\r\n").getBytes());
			out.write(("3e8\r\n").getBytes());
			out.write(bytes, 0, 1_000);
			out.write(("\r\n7d0\r\n").getBytes());
			out.write(bytes, 1_000, 2_000);
			out.write(("\r\n0\r\n\r\n").getBytes());
			out.flush();
			String answer = UploadSlowBodiesIntegrationTests.responseHead(socket.getInputStream());
			assertThat(answer).startsWith("HTTP/1.1 204").contains("Upload-Offset: 3000");
		}
		assertThat(Files.readAllBytes(this.store.file(TusClient.id(location)))).isEqualTo(bytes);
	}

}
