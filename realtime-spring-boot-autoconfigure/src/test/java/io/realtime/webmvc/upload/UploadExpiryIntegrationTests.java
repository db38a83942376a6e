package io.realtime.webmvc.upload;

import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import io.realtime.test.TestApplication;
import org.junit.jupiter.api.BeforeEach;
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

	private TusClient tus;

	@BeforeEach
	void connect() {
		this.tus = new TusClient(this.port);
	}

	@Test
	void anAbandonedUploadIsRemovedWithItsFileWhenItExpires() throws Exception {
		String finished = this.tus.create(3);
		assertThat(this.tus.patch(finished, 0, new byte[3]).statusCode()).isEqualTo(204);
		String abandoned = this.tus.create(100);
		HttpResponse<String> patched = this.tus.patch(abandoned, 0, new byte[40]);
		assertThat(patched.headers().firstValue("Upload-Expires")).isPresent();
		String id = TusClient.id(abandoned);
		assertThat(directory.resolve(id + ".part")).hasSize(40);

		await().atMost(Duration.ofSeconds(10)).until(() -> !Files.exists(directory.resolve(id + ".part")));
		assertThat(directory.resolve(id + ".info")).doesNotExist();
		assertThat(this.tus.send(this.tus.request(abandoned).method("HEAD", BodyPublishers.noBody())).statusCode())
			.isEqualTo(404);
		assertThat(directory.resolve(TusClient.id(finished))).hasSize(3);
		// the client's only unfinished upload is gone, so it may start another
		assertThat(this.tus.create(10)).isNotNull();
	}

}
