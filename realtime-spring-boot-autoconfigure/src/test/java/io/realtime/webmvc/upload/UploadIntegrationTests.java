package io.realtime.webmvc.upload;

import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.realtime.test.RealtimeHttpClient;
import io.realtime.test.TestApplication;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.context.event.EventListener;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The tus 1.0 endpoint on a real Tomcat: every request, every refusal with the status tus
 * defines, an upload resumed after its connection broke, progress on its topic and the
 * completion event.
 */
@SpringBootTest(classes = TestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "realtime.upload.enabled=true", "realtime.upload.max-size=1MB",
				"realtime.upload.max-unfinished-per-client=3", "realtime.upload.disk-budget=2MB" })
@Import(UploadIntegrationTests.Completions.class)
class UploadIntegrationTests {

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
	Completions completions;

	@Autowired
	UploadStore store;

	/** Each test starts with no unfinished upload of this client. */
	private final List<String> created = new ArrayList<>();

	@AfterEach
	void terminateUploads() throws Exception {
		for (String location : this.created) {
			this.tus.send(this.tus.request(location).DELETE());
		}
	}

	@Test
	void optionsAnnounceVersionExtensionsAndLimits() throws Exception {
		HttpResponse<String> response = this.tus.send(this.tus.request("").method("OPTIONS", BodyPublishers.noBody()));
		assertThat(response.statusCode()).isEqualTo(204);
		assertThat(response.headers().firstValue("Tus-Version")).hasValue("1.0.0");
		assertThat(response.headers().firstValue("Tus-Resumable")).hasValue("1.0.0");
		assertThat(response.headers().firstValue("Tus-Extension"))
			.hasValue("creation,creation-with-upload,termination,expiration,checksum");
		assertThat(response.headers().firstValue("Tus-Max-Size")).hasValue("1048576");
		assertThat(response.headers().firstValue("Tus-Checksum-Algorithm")).hasValue("sha1,sha256,md5");
	}

	@Test
	void anUploadIsCreatedWrittenInPartsAndCompletedWithItsEventAndFinalMessageThenForgotten() throws Exception {
		byte[] bytes = bytes(300_000);
		String location = create(bytes.length, "filename " + b64("report.pdf") + ",empty");
		assertThat(location).matches("/realtime/uploads/[0-9a-f]{32}");
		String id = TusClient.id(location);

		HttpResponse<String> head = this.tus.send(this.tus.request(location).method("HEAD", BodyPublishers.noBody()));
		assertThat(head.statusCode()).isEqualTo(200);
		assertThat(head.headers().firstValue("Upload-Offset")).hasValue("0");
		assertThat(head.headers().firstValue("Upload-Length")).hasValue("300000");
		assertThat(head.headers().firstValue("Cache-Control")).hasValue("no-store");
		assertThat(head.headers().firstValue("Upload-Expires")).isPresent();

		HttpResponse<String> first = this.tus.patch(location, 0, slice(bytes, 0, 100_000));
		assertThat(first.statusCode()).isEqualTo(204);
		assertThat(first.headers().firstValue("Upload-Offset")).hasValue("100000");
		assertThat(first.headers().firstValue("Tus-Resumable")).hasValue("1.0.0");
		HttpResponse<String> last = this.tus.patch(location, 100_000, slice(bytes, 100_000, bytes.length));
		assertThat(last.headers().firstValue("Upload-Offset")).hasValue("300000");
		assertThat(last.headers().firstValue("Upload-Expires")).isEmpty();

		List<UploadCompletedEvent> events = this.completions.events.stream().filter((e) -> e.id().equals(id)).toList();
		assertThat(events).hasSize(1);
		UploadCompletedEvent event = events.get(0);
		assertThat(event.topic()).isEqualTo("uploads/" + id);
		assertThat(event.metadata()).containsEntry("filename", "report.pdf").containsEntry("empty", "");
		assertThat(Files.readAllBytes(event.file())).isEqualTo(bytes);
		assertThat(event.file()).isEqualTo(directory.resolve(id));

		List<JsonNode> progress = progress(id);
		assertThat(progress).isNotEmpty();
		JsonNode finalMessage = progress.get(progress.size() - 1);
		assertThat(finalMessage.get("offset").asLong()).isEqualTo(300_000);
		assertThat(finalMessage.get("complete").asBoolean()).isTrue();
		assertThat(progress.subList(0, progress.size() - 1))
			.allSatisfy((message) -> assertThat(message.get("complete").asBoolean()).isFalse());
		assertThat(progress).extracting((message) -> message.get("offset").asLong()).isSorted();

		// terminating a finished upload forgets it; the file is the application's
		assertThat(this.tus.send(this.tus.request(location).DELETE()).statusCode()).isEqualTo(204);
		assertThat(this.tus.send(this.tus.request(location).method("HEAD", BodyPublishers.noBody())).statusCode())
			.isEqualTo(404);
		assertThat(event.file()).exists();
	}

	@Test
	void creationWithUploadStoresTheFirstBytes() throws Exception {
		byte[] bytes = bytes(1000);
		HttpResponse<String> created = this.tus.send(this.tus.request("").header("Upload-Length", "1000")
			.header("Content-Type", "application/offset+octet-stream")
			.POST(BodyPublishers.ofByteArray(slice(bytes, 0, 600))));
		assertThat(created.statusCode()).isEqualTo(201);
		assertThat(created.headers().firstValue("Upload-Offset")).hasValue("600");
		String location = created.headers().firstValue("Location").orElseThrow();
		this.created.add(location);
		assertThat(this.tus.patch(location, 600, slice(bytes, 600, 1000)).statusCode()).isEqualTo(204);
		assertThat(Files.readAllBytes(this.store.file(TusClient.id(location)))).isEqualTo(bytes);
	}

	@Test
	void aBrokenConnectionKeepsWhatArrivedAndTheUploadResumesFromThere() throws Exception {
		byte[] bytes = bytes(200_000);
		String location = create(bytes.length, null);
		try (Socket socket = new Socket("localhost", this.port)) {
			OutputStream out = socket.getOutputStream();
			out.write(("PATCH " + location + " HTTP/1.1\r\nHost: localhost\r\nTus-Resumable: 1.0.0\r\n"
					+ "Upload-Offset: 0\r\nContent-Type: application/offset+octet-stream\r\nContent-Length: 200000\r\n\r\n")
				.getBytes(StandardCharsets.US_ASCII));
			out.write(bytes, 0, 70_000);
			out.flush();
			await().atMost(Duration.ofSeconds(10)).until(() -> this.tus.offset(location) == 70_000);
		}
		// the server notices the broken connection and lets the upload go
		await().atMost(Duration.ofSeconds(20)).until(() -> this.tus.patch(location, 70_000, slice(bytes, 70_000, 200_000))
			.statusCode() == 204);
		assertThat(Files.readAllBytes(this.store.file(TusClient.id(location)))).isEqualTo(bytes);
	}

	@Test
	void terminationRemovesTheUploadAndItsFile() throws Exception {
		String location = create(100, null);
		this.tus.patch(location, 0, bytes(10));
		Path part = directory.resolve(TusClient.id(location) + ".part");
		assertThat(part).exists();
		HttpResponse<String> deleted = this.tus.send(this.tus.request(location).DELETE());
		assertThat(deleted.statusCode()).isEqualTo(204);
		assertThat(deleted.headers().firstValue("Tus-Resumable")).hasValue("1.0.0");
		assertThat(part).doesNotExist();
		assertThat(this.tus.send(this.tus.request(location).method("HEAD", BodyPublishers.noBody())).statusCode())
			.isEqualTo(404);
	}

	@Test
	void aChecksumThatMatchesIsAcceptedOneThatDoesNotIsRefusedWith460AndDiscarded() throws Exception {
		byte[] bytes = bytes(1000);
		String location = create(bytes.length, null);
		String good = "sha1 " + Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-1").digest(slice(bytes, 0, 500)));
		HttpResponse<String> accepted = this.tus.send(this.tus.patchRequest(location, 0, slice(bytes, 0, 500)).header("Upload-Checksum", good));
		assertThat(accepted.statusCode()).isEqualTo(204);
		HttpResponse<String> mismatch = this.tus.send(this.tus.patchRequest(location, 500, slice(bytes, 500, 1000))
			.header("Upload-Checksum", good));
		assertThat(mismatch.statusCode()).isEqualTo(460);
		assertThat(mismatch.headers().firstValue("Tus-Resumable")).hasValue("1.0.0");
		assertThat(this.tus.offset(location)).isEqualTo(500);
		HttpResponse<String> unknown = this.tus.send(this.tus.patchRequest(location, 500, slice(bytes, 500, 1000))
			.header("Upload-Checksum", "crc32 AAAA"));
		assertThat(unknown.statusCode()).isEqualTo(400);
	}

	@Test
	void refusalsAreAnsweredWithTheStatusTusDefines() throws Exception {
		String location = create(100, null);
		// 412: no or another Tus-Resumable, with the versions served
		HttpResponse<String> noVersion = this.tus.send(HttpRequest.newBuilder(this.tus.uri(location)).method("HEAD", BodyPublishers.noBody()));
		assertThat(noVersion.statusCode()).isEqualTo(412);
		assertThat(noVersion.headers().firstValue("Tus-Version")).hasValue("1.0.0");
		assertThat(this.tus.send(HttpRequest.newBuilder(this.tus.uri("")).header("Tus-Resumable", "0.2.2").header("Upload-Length", "5")
			.POST(BodyPublishers.noBody())).statusCode()).isEqualTo(412);
		// 400: a length or offset that is not a number, metadata that is not Base64
		assertThat(this.tus.send(this.tus.request("").header("Upload-Length", "-1").POST(BodyPublishers.noBody())).statusCode())
			.isEqualTo(400);
		assertThat(this.tus.send(this.tus.request("").POST(BodyPublishers.noBody())).statusCode()).isEqualTo(400);
		assertThat(this.tus.send(this.tus.request("").header("Upload-Length", "5").header("Upload-Metadata", "name !!!")
			.POST(BodyPublishers.noBody())).statusCode()).isEqualTo(400);
		assertThat(this.tus.send(this.tus.patchRequest(location, 0, bytes(5)).setHeader("Upload-Offset", "x")).statusCode())
			.isEqualTo(400);
		// 404: no such upload
		assertThat(this.tus.patch("/realtime/uploads/0123456789abcdef0123456789abcdef", 0, bytes(5)).statusCode())
			.isEqualTo(404);
		// 409: an offset other than the upload's
		HttpResponse<String> conflict = this.tus.patch(location, 7, bytes(5));
		assertThat(conflict.statusCode()).isEqualTo(409);
		assertThat(conflict.headers().firstValue("Content-Type")).hasValueSatisfying(
				(type) -> assertThat(type).startsWith("application/problem+json"));
		// 413: longer than the maximum, or a body past the length
		assertThat(this.tus.send(this.tus.request("").header("Upload-Length", "1048577").POST(BodyPublishers.noBody())).statusCode())
			.isEqualTo(413);
		assertThat(this.tus.patch(location, 0, bytes(101)).statusCode()).isEqualTo(413);
		// 415: a body of another type
		assertThat(this.tus.send(this.tus.request(location).header("Upload-Offset", "0").header("Content-Type", "application/octet-stream")
			.method("PATCH", BodyPublishers.ofByteArray(bytes(5)))).statusCode()).isEqualTo(415);
		// 403: another site's page
		assertThat(this.tus.send(this.tus.request("").header("Upload-Length", "5").header("Origin", "https://evil.example")
			.POST(BodyPublishers.noBody())).statusCode()).isEqualTo(403);
		assertThat(this.tus.offset(location)).isZero();
		this.tus.send(this.tus.request(location).DELETE());
	}

	@Test
	void aClientOverItsCountOrTheDiskBudgetIsRefused() throws Exception {
		List<String> held = new ArrayList<>();
		for (int i = 0; i < 3; i++) {
			held.add(create(10, null));
		}
		HttpResponse<String> overCount = this.tus.send(this.tus.request("").header("Upload-Length", "10").POST(BodyPublishers.noBody()));
		assertThat(overCount.statusCode()).isEqualTo(429);
		assertThat(overCount.headers().firstValue("Tus-Resumable")).hasValue("1.0.0");
		this.tus.send(this.tus.request(held.remove(0)).DELETE());
		held.add(create(1_048_576, null));
		// 2 MB budget: 1 MB + 20 B reserved, another 1 MB does not fit
		this.tus.send(this.tus.request(held.remove(0)).DELETE());
		HttpResponse<String> overBudget = this.tus.send(this.tus.request("").header("Upload-Length", "1048576").POST(BodyPublishers.noBody()));
		assertThat(overBudget.statusCode()).isEqualTo(507);
		for (String location : held) {
			this.tus.send(this.tus.request(location).DELETE());
		}
		assertThat(create(1_048_576, null)).isNotNull();
	}

	private String create(long length, String metadata) throws Exception {
		HttpRequest.Builder builder = this.tus.request("").header("Upload-Length", Long.toString(length));
		if (metadata != null) {
			builder.header("Upload-Metadata", metadata);
		}
		HttpResponse<String> created = this.tus.send(builder.POST(BodyPublishers.noBody()));
		assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
		assertThat(created.headers().firstValue("Tus-Resumable")).hasValue("1.0.0");
		assertThat(created.headers().firstValue("Upload-Offset")).hasValue("0");
		String location = created.headers().firstValue("Location").orElseThrow();
		this.created.add(location);
		return location;
	}

	private List<JsonNode> progress(String id) throws Exception {
		HttpResponse<String> poll = this.tus.send(HttpRequest.newBuilder(
				URI.create("http://localhost:" + this.port + "/realtime/poll?topic=uploads/" + id + "&rewind=100")));
		List<JsonNode> messages = new ArrayList<>();
		RealtimeHttpClient.json(poll).get("messages").forEach((message) -> messages.add(message.get("data")));
		return messages;
	}

	private static String b64(String text) {
		return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
	}

	static byte[] bytes(int count) {
		byte[] bytes = new byte[count];
		new java.util.Random(count).nextBytes(bytes);
		return bytes;
	}

	private static byte[] slice(byte[] bytes, int from, int to) {
		return java.util.Arrays.copyOfRange(bytes, from, to);
	}

	@TestConfiguration(proxyBeanMethods = false)
	static class Completions {

		final List<UploadCompletedEvent> events = new CopyOnWriteArrayList<>();

		@EventListener
		void completed(UploadCompletedEvent event) {
			this.events.add(event);
		}

	}

}
