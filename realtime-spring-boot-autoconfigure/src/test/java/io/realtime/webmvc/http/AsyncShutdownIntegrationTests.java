package io.realtime.webmvc.http;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import io.realtime.test.RealtimeHttpClient;
import io.realtime.test.TestApplication;
import io.realtime.webmvc.ConnectionRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An application that stops while SSE streams and long polls wait on async requests (the portable
 * path, and the only one on containers other than Tomcat) stops promptly: the streams end and the
 * polls answer, rather than holding up the web server's graceful shutdown until it times out.
 */
class AsyncShutdownIntegrationTests {

	/** Far below the graceful shutdown's 30 s: what a stop takes with nothing to wait for. */
	private static final Duration PROMPT = Duration.ofSeconds(10);

	@Test
	void openStreamsAndWaitingPollsEndPromptlyWhenTheApplicationStops() throws IOException {
		ConfigurableApplicationContext context = new SpringApplicationBuilder(TestApplication.class)
			.properties("server.port=0", "realtime.sse.detach=false", "realtime.long-poll.detach=false")
			.run();
		try {
			int port = ((WebServerApplicationContext) context).getWebServer().getPort();
			ConnectionRegistry registry = context.getBean(ConnectionRegistry.class);
			String cursor = new RealtimeHttpClient(port).poll("poll", List.of("bye"), null).get("cursor").asString();
			try (Socket sse = open(port, "/realtime/sse?topic=bye");
					Socket poll = open(port, "/realtime/long-poll?topic=bye&cursor=" + cursor)) {
				AbstractSseStreamIntegrationTests.readUntil(sse.getInputStream(), "event:ready");
				await().atMost(PROMPT).until(() -> registry.count() == 2);

				long started = System.nanoTime();
				context.close();
				assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(PROMPT);

				assertEnds(sse.getInputStream());
				assertThat(AbstractSseStreamIntegrationTests.readUntil(poll.getInputStream(), "\r\n\r\n"))
					.startsWith("HTTP/1.1 200");
			}
		}
		finally {
			context.close();
		}
	}

	private static void assertEnds(InputStream in) throws IOException {
		byte[] rest = new byte[1024];
		while (in.read(rest) != -1) {
			// the last events, if any, then the end
		}
	}

	private static Socket open(int port, String pathAndQuery) throws IOException {
		Socket socket = new Socket();
		socket.connect(new InetSocketAddress("localhost", port), 5000);
		socket.setSoTimeout((int) PROMPT.toMillis());
		socket.getOutputStream()
			.write(("GET " + pathAndQuery + " HTTP/1.1\r\nHost: localhost\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
		return socket;
	}

}
