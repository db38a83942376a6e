package io.realtime.webmvc.upload;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Path;

import io.realtime.test.TestApplication;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With {@code realtime.allowed-origins}, a page of an allowed origin may use the tus methods and
 * read the tus headers (a browser tus client needs both); another origin is refused.
 */
@SpringBootTest(classes = TestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "realtime.upload.enabled=true", "realtime.allowed-origins=https://app.example" })
class UploadCrossOriginIntegrationTests {

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
	void anAllowedOriginMayPatchAndReadTheTusHeaders() throws Exception {
		HttpResponse<String> preflight = send(HttpRequest.newBuilder(uri("/realtime/uploads/x"))
			.header("Origin", "https://app.example")
			.header("Access-Control-Request-Method", "PATCH")
			.header("Access-Control-Request-Headers", "tus-resumable,upload-offset,content-type")
			.method("OPTIONS", BodyPublishers.noBody()));
		assertThat(preflight.statusCode()).isEqualTo(200);
		assertThat(preflight.headers().firstValue("Access-Control-Allow-Methods"))
			.hasValueSatisfying((methods) -> assertThat(methods).contains("PATCH", "HEAD", "DELETE"));

		HttpResponse<String> created = send(HttpRequest.newBuilder(uri("/realtime/uploads"))
			.header("Origin", "https://app.example")
			.header("Tus-Resumable", "1.0.0")
			.header("Upload-Length", "10")
			.POST(BodyPublishers.noBody()));
		assertThat(created.statusCode()).isEqualTo(201);
		assertThat(created.headers().firstValue("Access-Control-Expose-Headers")).hasValueSatisfying(
				(exposed) -> assertThat(exposed).contains("Location", "Upload-Offset", "Tus-Resumable"));
	}

	@Test
	void anotherOriginIsRefused() throws Exception {
		HttpResponse<String> created = send(HttpRequest.newBuilder(uri("/realtime/uploads"))
			.header("Origin", "https://evil.example")
			.header("Tus-Resumable", "1.0.0")
			.header("Upload-Length", "10")
			.POST(BodyPublishers.noBody()));
		assertThat(created.statusCode()).isEqualTo(403);
	}

	private URI uri(String path) {
		return URI.create("http://localhost:" + this.port + path);
	}

	private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
		return this.http.send(request.build(), BodyHandlers.ofString());
	}

}
