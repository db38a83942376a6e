package io.realtime.redis.test;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A real HTTP client for the realtime endpoints, on the JDK's {@link HttpClient}.
 */
public final class RealtimeHttpClient {

	public static final JsonMapper JSON = JsonMapper.builder().build();

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	private final String base;

	public RealtimeHttpClient(int port) {
		this("http://localhost:" + port + "/realtime");
	}

	public RealtimeHttpClient(String base) {
		this.base = base;
	}

	public String base() {
		return this.base;
	}

	public HttpClient http() {
		return this.http;
	}

	public HttpResponse<String> publish(String topic, String contentType, String body) {
		return send(HttpRequest.newBuilder(URI.create(this.base + "/publish?topic=" + encode(topic)))
			.header("Content-Type", contentType)
			.POST(HttpRequest.BodyPublishers.ofString(body))
			.build());
	}

	public String publishJson(String topic, String json) {
		HttpResponse<String> response = publish(topic, "application/json", json);
		if (response.statusCode() != 202) {
			throw new IllegalStateException("publish answered " + response.statusCode() + ": " + response.body());
		}
		return json(response).get("id").asString();
	}

	/** GET /poll or /long-poll. */
	public HttpResponse<String> get(String endpoint, List<String> topics, @Nullable String cursor) {
		return send(HttpRequest.newBuilder(uri(endpoint, topics, cursor)).timeout(Duration.ofSeconds(60)).GET().build());
	}

	public JsonNode poll(String endpoint, List<String> topics, @Nullable String cursor) {
		HttpResponse<String> response = get(endpoint, topics, cursor);
		if (response.statusCode() != 200) {
			throw new IllegalStateException(endpoint + " answered " + response.statusCode() + ": " + response.body());
		}
		return json(response);
	}

	public URI uri(String endpoint, List<String> topics, @Nullable String cursor) {
		String query = topics.stream().map((topic) -> "topic=" + encode(topic)).collect(Collectors.joining("&"));
		if (cursor != null) {
			query += "&cursor=" + encode(cursor);
		}
		return URI.create(this.base + "/" + endpoint + "?" + query);
	}

	public HttpResponse<String> send(HttpRequest request) {
		try {
			return this.http.send(request, HttpResponse.BodyHandlers.ofString());
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	public static JsonNode json(HttpResponse<String> response) {
		return JSON.readTree(response.body());
	}

	public static JsonNode json(String text) {
		return JSON.readTree(text);
	}

	static String encode(String value) {
		return URLEncoder.encode(value, StandardCharsets.UTF_8);
	}

}
