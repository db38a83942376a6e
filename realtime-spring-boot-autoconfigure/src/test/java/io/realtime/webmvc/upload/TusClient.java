package io.realtime.webmvc.upload;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import org.jspecify.annotations.Nullable;

import static org.assertj.core.api.Assertions.assertThat;

/** The tus 1.0 requests of the upload tests, to {@code /realtime/uploads} on a local port. */
final class TusClient {

	private final HttpClient http;

	private final int port;

	private final @Nullable Duration timeout;

	TusClient(int port) {
		this(port, null);
	}

	/** With every request bounded by {@code timeout}. */
	TusClient(int port, @Nullable Duration timeout) {
		this.port = port;
		this.timeout = timeout;
		HttpClient.Builder http = HttpClient.newBuilder();
		this.http = ((timeout != null) ? http.connectTimeout(timeout) : http).build();
	}

	/** A request to an upload's location, or to the endpoint for {@code ""}. */
	HttpRequest.Builder request(String location) {
		HttpRequest.Builder request = HttpRequest.newBuilder(uri(location)).header("Tus-Resumable", "1.0.0");
		return (this.timeout != null) ? request.timeout(this.timeout) : request;
	}

	URI uri(String location) {
		return URI.create("http://localhost:" + this.port + (location.isEmpty() ? "/realtime/uploads" : location));
	}

	HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
		return this.http.send(request.build(), BodyHandlers.ofString());
	}

	CompletableFuture<HttpResponse<String>> sendAsync(HttpRequest.Builder request) {
		return this.http.sendAsync(request.build(), BodyHandlers.ofString());
	}

	/** Create an upload of that length, which must succeed: its location. */
	String create(long length) throws IOException, InterruptedException {
		HttpResponse<String> created = send(
				request("").header("Upload-Length", Long.toString(length)).POST(BodyPublishers.noBody()));
		assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
		return created.headers().firstValue("Location").orElseThrow();
	}

	/** The upload's offset, from {@code HEAD}. */
	long offset(String location) throws IOException, InterruptedException {
		HttpResponse<String> head = send(request(location).method("HEAD", BodyPublishers.noBody()));
		return Long.parseLong(head.headers().firstValue("Upload-Offset").orElseThrow());
	}

	HttpResponse<String> patch(String location, long offset, byte[] body) throws IOException, InterruptedException {
		return send(patchRequest(location, offset, body, null));
	}

	HttpResponse<String> patch(String location, long offset, byte[] body, @Nullable String checksum)
			throws IOException, InterruptedException {
		return send(patchRequest(location, offset, body, checksum));
	}

	HttpRequest.Builder patchRequest(String location, long offset, byte[] body) {
		return patchRequest(location, offset, body, null);
	}

	HttpRequest.Builder patchRequest(String location, long offset, byte[] body, @Nullable String checksum) {
		HttpRequest.Builder request = request(location).header("Upload-Offset", Long.toString(offset))
			.header("Content-Type", "application/offset+octet-stream")
			.method("PATCH", BodyPublishers.ofByteArray(body));
		return (checksum != null) ? request.header("Upload-Checksum", checksum) : request;
	}

	static String id(String location) {
		return location.substring(location.lastIndexOf('/') + 1);
	}

}
