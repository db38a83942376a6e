package io.realtime.webmvc.http;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import io.realtime.autoconfigure.RealtimeAutoConfiguration;
import io.realtime.autoconfigure.RealtimeWebMvcAutoConfiguration;
import io.realtime.test.TestApplication;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The browser client as a page loads it: {@code /realtime/client.js}, {@code .mjs} and
 * {@code .d.ts} on a real Tomcat, read with the JDK's HTTP client.
 */
@SpringBootTest(classes = TestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT)
class ClientScriptEndpointIntegrationTests {

	private static final Path CLIENT_SOURCES = Path.of("..", "realtime-client", "src");

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	private final WebApplicationContextRunner contextRunner = new WebApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(JacksonAutoConfiguration.class, RealtimeAutoConfiguration.class,
				RealtimeWebMvcAutoConfiguration.class));

	@LocalServerPort
	int port;

	@Test
	void scriptIsTheClientSourceAsJavaScriptWithAStrongETagToRevalidate() throws Exception {
		HttpResponse<String> response = get("/realtime/client.js", null);
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.headers().firstValue("Content-Type")).hasValue("application/javascript;charset=UTF-8");
		assertThat(response.headers().firstValue("Cache-Control")).hasValue("no-cache");
		assertThat(response.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
		assertThat(response.headers().firstValue("ETag")).hasValueSatisfying((etag) -> assertThat(etag)
			.matches("\"[A-Za-z0-9_-]{43}\""));
		assertThat(response.body()).isEqualTo(source("realtime.js"));
	}

	@Test
	void matchingIfNoneMatchIsNotModifiedWithoutABody() throws Exception {
		String etag = get("/realtime/client.js", null).headers().firstValue("ETag").orElseThrow();
		HttpResponse<String> notModified = get("/realtime/client.js", etag);
		assertThat(notModified.statusCode()).isEqualTo(304);
		assertThat(notModified.headers().firstValue("ETag")).hasValue(etag);
		assertThat(notModified.body()).isEmpty();
		HttpResponse<String> listed = get("/realtime/client.js", "\"older\", " + etag);
		assertThat(listed.statusCode()).isEqualTo(304);
		HttpResponse<String> changed = get("/realtime/client.js", "\"older\"");
		assertThat(changed.statusCode()).isEqualTo(200);
		assertThat(changed.body()).isEqualTo(source("realtime.js"));
	}

	@Test
	void moduleIsTheScriptFollowedByItsExports() throws Exception {
		HttpResponse<String> script = get("/realtime/client.js", null);
		HttpResponse<String> module = get("/realtime/client.mjs", null);
		assertThat(module.statusCode()).isEqualTo(200);
		assertThat(module.headers().firstValue("Content-Type")).hasValue("application/javascript;charset=UTF-8");
		assertThat(module.body()).isEqualTo(source("realtime.js") + "\nexport default globalThis.Realtime;\n"
				+ "export const connect = globalThis.Realtime.connect;\n");
		assertThat(module.headers().firstValue("ETag")).isPresent()
			.isNotEqualTo(script.headers().firstValue("ETag"));
		String etag = module.headers().firstValue("ETag").orElseThrow();
		assertThat(get("/realtime/client.mjs", etag).statusCode()).isEqualTo(304);
	}

	@Test
	void typesAreTheDeclarationFile() throws Exception {
		HttpResponse<String> response = get("/realtime/client.d.ts", null);
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.headers().firstValue("Content-Type")).hasValue("application/typescript;charset=UTF-8");
		assertThat(response.headers().firstValue("Cache-Control")).hasValue("no-cache");
		assertThat(response.body()).isEqualTo(source("realtime.d.ts")).contains("export interface Connection");
		String etag = response.headers().firstValue("ETag").orElseThrow();
		assertThat(get("/realtime/client.d.ts", etag).statusCode()).isEqualTo(304);
	}

	@Test
	void headAnswersTheHeadersWithoutTheBody() throws Exception {
		HttpResponse<String> response = this.http.send(HttpRequest
			.newBuilder(URI.create("http://localhost:" + this.port + "/realtime/client.js"))
			.method("HEAD", HttpRequest.BodyPublishers.noBody())
			.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.headers().firstValue("ETag")).isPresent();
		assertThat(response.body()).isEmpty();
	}

	@Test
	void clientIsServedByDefault() {
		this.contextRunner.run((context) -> assertThat(context).hasSingleBean(ClientScriptEndpoint.class));
	}

	@Test
	void clientIsAbsentWhenDisabled() {
		this.contextRunner.withPropertyValues("realtime.client.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(ClientScriptEndpoint.class));
	}

	@Test
	void clientBacksOffWhenUserDefinesOne() {
		this.contextRunner.withUserConfiguration(CustomClientConfiguration.class)
			.run((context) -> assertThat(context).getBean(ClientScriptEndpoint.class)
				.isSameAs(context.getBean("customClient")));
	}

	private HttpResponse<String> get(String path, @Nullable String ifNoneMatch) throws Exception {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + path))
			.timeout(Duration.ofSeconds(10));
		if (ifNoneMatch != null) {
			request.header("If-None-Match", ifNoneMatch);
		}
		return this.http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
	}

	private static String source(String name) throws Exception {
		return Files.readString(CLIENT_SOURCES.resolve(name), StandardCharsets.UTF_8);
	}

	@Configuration(proxyBeanMethods = false)
	static class CustomClientConfiguration {

		@Bean
		ClientScriptEndpoint customClient() {
			return new ClientScriptEndpoint("globalThis.Realtime = {};", "");
		}

	}

}
