package io.realtime.webmvc;

import java.util.stream.Collectors;
import java.util.stream.IntStream;

import io.realtime.test.RawHttp;
import io.realtime.test.RawHttp.Response;
import io.realtime.test.TestApplication;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;

import static io.realtime.test.RealtimeHttpClient.json;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Whatever a client sends wrong is a 4xx problem in this library's words, on every endpoint,
 * and never costs an ERROR line or a stack trace in the log.
 */
@SpringBootTest(classes = TestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = "realtime.publish.allowed-topics=chat")
@ExtendWith(OutputCaptureExtension.class)
class ClientErrorsIntegrationTests {

	@LocalServerPort
	int port;

	private @Nullable CapturedOutput output;

	@AfterEach
	void nothingLoggedAtErrorNorAStackTrace() {
		if (this.output == null) {
			return;
		}
		assertThat(this.output.getAll()).doesNotContain(" ERROR ").doesNotContainPattern("\\n\\s+at [a-z]+\\.");
	}

	@ParameterizedTest
	@ValueSource(strings = { "poll?topic=%FF", "poll?topic=%C3%28", "poll?topic=chat&cursor=%%%%",
			"poll?topic=chat&cursor=%E2%82", "long-poll?topic=%FF", "sse?topic=%FF", "poll?topic=%zz" })
	void malformedPercentEncodingOrUtf8IsABadRequest(String query, CapturedOutput output) {
		this.output = output;
		Response response = RawHttp.send(this.port, "GET /realtime/" + query + " HTTP/1.1", "");
		assertProblem(response, 400, "percent-encoded UTF-8");
	}

	@Test
	void publishToABadlyEncodedTopicIsABadRequest(CapturedOutput output) {
		this.output = output;
		Response response = RawHttp.send(this.port,
				"POST /realtime/publish?topic=%FF HTTP/1.1\r\nContent-Type: application/json", "1");
		assertProblem(response, 400, "percent-encoded UTF-8");
	}

	@Test
	void wrongMethodIsNotAllowedWithAllow(CapturedOutput output) {
		this.output = output;
		Response get = RawHttp.send(this.port, "GET /realtime/publish?topic=chat HTTP/1.1", "");
		assertProblem(get, 405, "use POST");
		assertThat(get.header("Allow")).isEqualTo("POST");
		Response post = RawHttp.send(this.port,
				"POST /realtime/poll?topic=chat HTTP/1.1\r\nContent-Type: application/json", "1");
		assertProblem(post, 405, "use GET");
		assertThat(post.header("Allow")).isEqualTo("GET");
	}

	@Test
	void unknownPathUnderTheBaseIsNotFound(CapturedOutput output) {
		this.output = output;
		assertProblem(RawHttp.send(this.port, "GET /realtime/nothing HTTP/1.1", ""), 404, "no realtime endpoint");
	}

	@Test
	void tooManyTopicParametersIsABadRequest(CapturedOutput output) {
		this.output = output;
		// 1,001 parameters, 101 distinct topics, within the container's 8 KB request line
		String query = "x&".repeat(900) + IntStream.range(0, 101).mapToObj((i) -> "topic=t" + i)
			.collect(Collectors.joining("&"));
		Response response = RawHttp.send(this.port, "GET /realtime/poll?" + query + " HTTP/1.1", "");
		assertProblem(response, 400, "at most 100 topics");
	}

	@Test
	void requestLinePastTheContainersLimitIsRefusedByTheContainer() {
		// the container answers this itself, before any application code: Tomcat with its own
		// 400 page (and the first one in the JVM logged at INFO with a stack trace), Jetty 414
		this.output = null;
		Response response = RawHttp.send(this.port, "GET /realtime/poll?topic=" + "a".repeat(9000) + " HTTP/1.1", "");
		assertThat(response.status()).isIn(400, 414);
	}

	@Test
	void malformedJsonIsExplainedWithoutTheParsersInternals(CapturedOutput output) {
		this.output = output;
		Response truncated = RawHttp.send(this.port,
				"POST /realtime/publish?topic=chat HTTP/1.1\r\nContent-Type: application/json", "{\"a\":");
		assertProblem(truncated, 400, "not valid JSON (line 1, column");
		Response deep = RawHttp.send(this.port,
				"POST /realtime/publish?topic=chat HTTP/1.1\r\nContent-Type: application/json", "[".repeat(3000));
		assertProblem(deep, 400, "nested too deeply");
		assertThat(deep.body() + truncated.body()).doesNotContain("jackson", "Jackson", "StreamReadConstraints");
	}

	static void assertProblem(Response response, int status, String detailMentions) {
		assertThat(response.status()).as(response.body()).isEqualTo(status);
		assertThat(MediaType.parseMediaType(response.header("Content-Type"))
			.isCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)).as(response.header("Content-Type")).isTrue();
		JsonNode problem = json(response.body());
		assertThat(problem.path("status").asInt()).isEqualTo(status);
		assertThat(problem.path("detail").asString()).contains(detailMentions);
		assertThat(response.body()).doesNotContain("Exception", "timestamp");
	}

}
