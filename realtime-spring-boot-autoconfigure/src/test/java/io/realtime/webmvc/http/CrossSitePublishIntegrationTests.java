package io.realtime.webmvc.http;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.stream.StreamSupport;

import io.realtime.test.RealtimeHttpClient;
import io.realtime.test.TestApplication;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code POST /publish} follows the WebSocket handshake's origin rule, so a page on another site
 * cannot publish with the visitor's cookies (a text/plain form or a no-cors fetch needs no CORS
 * preflight): a foreign or unreadable {@code Origin}, or {@code Sec-Fetch-Site: cross-site}
 * without one, is a {@code 403} problem and publishes nothing; the same origin, the configured
 * origins and clients sending neither header (curl, servers) publish.
 */
class CrossSitePublishIntegrationTests {

	abstract static class PublishCase {

		@LocalServerPort
		int port;

		RealtimeHttpClient http;

		String cursor;

		@BeforeEach
		void startFromNow() {
			this.http = new RealtimeHttpClient(this.port);
			this.cursor = this.http.poll("poll", List.of("chat"), null).get("cursor").asString();
		}

		/** A text/plain publish, as an HTML form sends it, with header names and values in turn. */
		HttpResponse<String> publish(String... headers) {
			HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(this.http.base() + "/publish?topic=chat"))
				.header("Content-Type", "text/plain")
				.POST(HttpRequest.BodyPublishers.ofString("hi"));
			for (int i = 0; i < headers.length; i += 2) {
				request.header(headers[i], headers[i + 1]);
			}
			return this.http.send(request.build());
		}

		void assertRefusedAndNothingPublished(HttpResponse<String> response) {
			assertThat(response.statusCode()).isEqualTo(403);
			assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
					(type) -> assertThat(type).startsWith("application/problem+json"));
			JsonNode problem = RealtimeHttpClient.json(response);
			assertThat(problem.path("status").asInt()).isEqualTo(403);
			assertThat(problem.path("detail").asString()).contains("origin");
			assertThat(published()).isEmpty();
		}

		void assertPublished(HttpResponse<String> response) {
			assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
			assertThat(published()).containsExactly("hi");
		}

		private List<String> published() {
			JsonNode reply = this.http.poll("poll", List.of("chat"), this.cursor);
			return StreamSupport.stream(reply.get("messages").spliterator(), false)
				.map((message) -> message.get("data").asString())
				.toList();
		}

		String sameOrigin() {
			return "http://localhost:" + this.port;
		}

	}

	@Nested
	@ExtendWith(OutputCaptureExtension.class)
	@SpringBootTest(classes = TestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
			properties = "realtime.publish.allowed-topics=chat")
	class SameOriginOnly extends PublishCase {

		@Test
		void foreignOriginIsRefused() {
			assertRefusedAndNothingPublished(publish("Origin", "https://evil.example"));
		}

		@Test
		void crossSiteFetchWithoutOriginIsRefused() {
			assertRefusedAndNothingPublished(publish("Sec-Fetch-Site", "cross-site"));
		}

		@Test
		void opaqueOriginIsRefused() {
			// a sandboxed frame, a data: or file: page
			assertRefusedAndNothingPublished(publish("Origin", "null"));
		}

		@Test
		void unreadableOriginIsRefusedWithoutAnError(CapturedOutput output) {
			assertRefusedAndNothingPublished(publish("Origin", sameOrigin() + ".evil.com"));
			assertThat(output).doesNotContain("ERROR").doesNotContain("Exception");
		}

		@Test
		void sameOriginPublishes() {
			assertPublished(publish("Origin", sameOrigin(), "Sec-Fetch-Site", "same-origin"));
		}

		@Test
		void clientWithoutOriginPublishes() {
			assertPublished(publish());
		}

		@Test
		void sameSiteSubdomainIsRefused() {
			assertRefusedAndNothingPublished(
					publish("Origin", "http://other.localhost:" + this.port, "Sec-Fetch-Site", "same-site"));
		}

	}

	@Nested
	@SpringBootTest(classes = TestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
			properties = { "realtime.publish.allowed-topics=chat", "server.forward-headers-strategy=framework" })
	class BehindATrustedProxy extends PublishCase {

		@Test
		void originOfTheForwardedHostPublishes() {
			assertPublished(publish("Origin", "https://chat.example", "X-Forwarded-Proto", "https",
					"X-Forwarded-Host", "chat.example"));
		}

		@Test
		void originOfTheBackendIsForeign() {
			assertRefusedAndNothingPublished(publish("Origin", sameOrigin(), "X-Forwarded-Proto", "https",
					"X-Forwarded-Host", "chat.example"));
		}

	}

	@Nested
	@ExtendWith(OutputCaptureExtension.class)
	@SpringBootTest(classes = TestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
			properties = { "realtime.publish.allowed-topics=chat", "realtime.allowed-origins=https://app.example" })
	class ConfiguredOrigins extends PublishCase {

		@Test
		void configuredOriginPublishesWithCorsHeader() {
			HttpResponse<String> response = publish("Origin", "https://app.example", "Sec-Fetch-Site", "cross-site");
			assertPublished(response);
			assertThat(response.headers().firstValue("Access-Control-Allow-Origin")).hasValue("https://app.example");
		}

		@Test
		void otherOriginIsRefusedWithProblem() {
			HttpResponse<String> response = publish("Origin", "https://other.example");
			assertRefusedAndNothingPublished(response);
			assertThat(response.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
		}

		@Test
		void unreadableOriginIsRefusedWithoutAnError(CapturedOutput output) {
			assertRefusedAndNothingPublished(publish("Origin", sameOrigin() + ".evil.com"));
			assertThat(output).doesNotContain("ERROR").doesNotContain("Exception");
		}

		@Test
		void sameOriginStillPublishes() {
			assertPublished(publish("Origin", sameOrigin()));
		}

		@Test
		void preflightOfConfiguredOriginIsAnswered() {
			HttpResponse<String> response = preflight("https://app.example");
			assertThat(response.statusCode()).isEqualTo(200);
			assertThat(response.headers().firstValue("Access-Control-Allow-Origin")).hasValue("https://app.example");
			assertThat(response.headers().firstValue("Access-Control-Allow-Methods")).hasValueSatisfying(
					(methods) -> assertThat(methods).contains("POST"));
		}

		@Test
		void preflightOfOtherOriginIsRefusedWithProblem() {
			HttpResponse<String> response = preflight("https://other.example");
			assertThat(response.statusCode()).isEqualTo(403);
			assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
					(type) -> assertThat(type).startsWith("application/problem+json"));
			assertThat(RealtimeHttpClient.json(response).path("status").asInt()).isEqualTo(403);
			assertThat(response.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
		}

		private HttpResponse<String> preflight(String origin) {
			return this.http.send(HttpRequest.newBuilder(URI.create(this.http.base() + "/publish?topic=chat"))
				.header("Origin", origin)
				.header("Access-Control-Request-Method", "POST")
				.header("Access-Control-Request-Headers", "content-type,x-xsrf-token")
				.method("OPTIONS", HttpRequest.BodyPublishers.noBody())
				.build());
		}

	}

}
