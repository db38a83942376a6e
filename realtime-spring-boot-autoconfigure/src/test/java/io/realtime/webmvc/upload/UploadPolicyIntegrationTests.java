package io.realtime.webmvc.upload;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Principal;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.realtime.test.TestApplication;
import io.realtime.webmvc.RealtimeAuthorizationPolicy;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The application's policy is asked, with the declared length, before an upload exists: a
 * refusal is a {@code 403} and leaves nothing on disk.
 */
@SpringBootTest(classes = TestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = "realtime.upload.enabled=true")
@Import(UploadPolicyIntegrationTests.SmallUploadsOnly.class)
class UploadPolicyIntegrationTests {

	@TempDir
	static Path directory;

	@DynamicPropertySource
	static void directory(DynamicPropertyRegistry registry) {
		registry.add("realtime.upload.directory", () -> directory.toString());
	}

	@LocalServerPort
	int port;

	@Autowired
	SmallUploadsOnly policy;

	@Test
	void thePolicyDecidesBeforeAnUploadIsCreated() throws Exception {
		assertThat(create(100).statusCode()).isEqualTo(201);
		HttpResponse<String> refused = create(101);
		assertThat(refused.statusCode()).isEqualTo(403);
		assertThat(refused.headers().firstValue("Tus-Resumable")).hasValue("1.0.0");
		assertThat(this.policy.asked).containsExactly(100L, 101L);
		try (var files = Files.list(directory)) {
			assertThat(files.filter((file) -> file.toString().endsWith(".part"))).hasSize(1);
		}
	}

	private HttpResponse<String> create(long length) throws Exception {
		return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://localhost:" + this.port
				+ "/realtime/uploads"))
			.header("Tus-Resumable", "1.0.0")
			.header("Upload-Length", Long.toString(length))
			.POST(BodyPublishers.noBody())
			.build(), BodyHandlers.ofString());
	}

	@TestConfiguration(proxyBeanMethods = false)
	static class SmallUploadsOnly implements RealtimeAuthorizationPolicy {

		final List<Long> asked = new CopyOnWriteArrayList<>();

		@Override
		public boolean canSubscribe(@Nullable Principal principal, String topic) {
			return true;
		}

		@Override
		public boolean canPublish(@Nullable Principal principal, String topic) {
			return false;
		}

		@Override
		public boolean canUpload(@Nullable Principal principal, long length) {
			this.asked.add(length);
			return length <= 100;
		}

	}

}
