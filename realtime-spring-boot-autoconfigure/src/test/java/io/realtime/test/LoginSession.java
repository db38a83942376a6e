package io.realtime.test;

import java.net.CookieManager;
import java.net.HttpCookie;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A browser's share of a user of {@link SecuredApplication}-like apps (form login, CSRF token in
 * the {@code XSRF-TOKEN} cookie): its cookies, and the CSRF header the served client sends.
 */
public final class LoginSession {

	private static final Duration WAIT = Duration.ofSeconds(10);

	private final CookieManager cookies = new CookieManager();

	public final HttpClient http;

	private final int port;

	public LoginSession(int port) {
		this.port = port;
		this.http = HttpClient.newBuilder().cookieHandler(this.cookies).connectTimeout(WAIT).build();
	}

	public static LoginSession login(int port, String name) {
		LoginSession session = new LoginSession(port);
		session.get("/login");
		HttpResponse<String> response = session.send(HttpRequest.newBuilder(session.uri("/login"))
			.header("Content-Type", "application/x-www-form-urlencoded")
			.header("X-XSRF-TOKEN", session.csrfToken())
			.POST(HttpRequest.BodyPublishers.ofString("username=" + name + "&password=secret")));
		assertThat(response.statusCode()).isEqualTo(302);
		assertThat(response.headers().firstValue("Location")).hasValueSatisfying(
				(location) -> assertThat(location).doesNotContain("error"));
		return session;
	}

	public URI uri(String path) {
		return URI.create("http://localhost:" + this.port + path);
	}

	public HttpResponse<String> get(String path) {
		return send(HttpRequest.newBuilder(uri(path)).GET());
	}

	public CompletableFuture<HttpResponse<String>> getAsync(String path) {
		return this.http.sendAsync(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(60)).build(),
				HttpResponse.BodyHandlers.ofString());
	}

	public JsonNode poll(String topic, @Nullable String cursor) {
		HttpResponse<String> response = get(
				"/realtime/poll?topic=" + topic + ((cursor != null) ? "&cursor=" + cursor : ""));
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		return RealtimeHttpClient.json(response);
	}

	/** A same-origin publish, with the token from the XSRF-TOKEN cookie when {@code withToken}. */
	public HttpResponse<String> publish(String topic, String json, boolean withToken) {
		HttpRequest.Builder request = HttpRequest.newBuilder(uri("/realtime/publish?topic=" + topic))
			.header("Content-Type", "application/json")
			.header("Origin", "http://localhost:" + this.port)
			.POST(HttpRequest.BodyPublishers.ofString(json));
		if (withToken) {
			request.header("X-XSRF-TOKEN", csrfToken());
		}
		return send(request);
	}

	public String csrfToken() {
		return cookie("XSRF-TOKEN");
	}

	public String cookieHeader() {
		return this.cookies.getCookieStore()
			.getCookies()
			.stream()
			.map(HttpCookie::toString)
			.collect(Collectors.joining("; "));
	}

	private String cookie(String name) {
		return this.cookies.getCookieStore()
			.getCookies()
			.stream()
			.filter((cookie) -> cookie.getName().equals(name))
			.map(HttpCookie::getValue)
			.findFirst()
			.orElseThrow(() -> new AssertionError("no " + name + " cookie"));
	}

	private HttpResponse<String> send(HttpRequest.Builder request) {
		try {
			return this.http.send(request.timeout(WAIT).build(), HttpResponse.BodyHandlers.ofString());
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

}
