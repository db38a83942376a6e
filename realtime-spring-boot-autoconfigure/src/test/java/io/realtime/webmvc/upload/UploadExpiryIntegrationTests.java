package io.realtime.webmvc.upload;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import io.realtime.test.TestApplication;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An upload abandoned half-way is removed with its file once it expires, which frees its
 * client's share; a finished one is left to the application.
 */
@SpringBootTest(classes = TestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "realtime.upload.enabled=true", "realtime.upload.expiry=1s",
				"realtime.upload.cleanup-interval=100ms", "realtime.upload.max-unfinished-per-client=1" })
class UploadExpiryIntegrationTests {

	@TempDir
	static Path directory;

	@DynamicPropertySource
	static void directory(DynamicPropertyRegistry registry) {
		registry.add("realtime.upload.directory", () -> directory.toString());
	}

	@LocalServerPort
	int port;

	private final HttpClient http = HttpClient.newHttpClient();

	@Test
	void anAbandonedUploadIsRemovedWithItsFileWhenItExpires() throws Exception {
		String finished = create(3);
		assertThat(patch(finished, new byte[3]).statusCode()).isEqualTo(204);
		String abandoned = create(100);
		HttpResponse<String> patched = patch(abandoned, new byte[40]);
		assertThat(patched.headers().firstValue("Upload-Expires")).isPresent();
		String id = abandoned.substring(abandoned.lastIndexOf('/') + 1);
		assertThat(directory.resolve(id + ".part")).hasSize(40);

		await().atMost(Duration.ofSeconds(10)).until(() -> !Files.exists(directory.resolve(id + ".part")));
		assertThat(directory.resolve(id + ".info")).doesNotExist();
		assertThat(send(request(abandoned).method("HEAD", BodyPublishers.noBody())).statusCode()).isEqualTo(404);
		assertThat(directory.resolve(finished.substring(finished.lastIndexOf('/') + 1))).hasSize(3);
		// the client's only unfinished upload is gone, so it may start another
		assertThat(create(10)).isNotNull();
	}

	private String create(long length) throws Exception {
		HttpResponse<String> created = send(request("/realtime/uploads").header("Upload-Length", Long.toString(length))
			.POST(BodyPublishers.noBody()));
		assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
		return created.headers().firstValue("Location").orElseThrow();
	}

	private HttpResponse<String> patch(String location, byte[] body) throws Exception {
		return send(request(location).header("Upload-Offset", "0")
			.header("Content-Type", "application/offset+octet-stream")
			.method("PATCH", BodyPublishers.ofByteArray(body)));
	}

	private HttpRequest.Builder request(String path) {
		return HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + path)).header("Tus-Resumable", "1.0.0");
	}

	private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
		return this.http.send(request.build(), BodyHandlers.ofString());
	}

}
