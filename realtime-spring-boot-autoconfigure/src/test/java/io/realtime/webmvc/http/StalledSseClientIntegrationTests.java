package io.realtime.webmvc.http;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import io.realtime.webmvc.ConnectionRegistry;
import io.realtime.webmvc.RealtimePublisher;
import io.realtime.test.PaddedMessages;
import io.realtime.test.SmallSendBuffers;
import io.realtime.test.TestApplication;
import io.realtime.test.TomcatFastPath;
import org.apache.coyote.AbstractProtocol;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.tomcat.TomcatWebServer;
import org.springframework.boot.web.server.servlet.context.ServletWebServerApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A client that stops reading and never closes its detached SSE stream loses its connection once
 * a write has waited {@code realtime.send-time-limit}: it does not keep a socket open
 * for ever.
 */
@TomcatFastPath
@SpringBootTest(classes = { TestApplication.class, SmallSendBuffers.class },
		webEnvironment = WebEnvironment.RANDOM_PORT, properties = "realtime.send-time-limit=1s")
class StalledSseClientIntegrationTests {

	@LocalServerPort
	int port;

	@Autowired
	RealtimePublisher publisher;

	@Autowired
	ConnectionRegistry registry;

	@Autowired
	ServletWebServerApplicationContext context;

	@Test
	void aClientThatNeverReadsAgainIsDisconnectedAfterTheSendTimeLimit() throws IOException {
		try (Socket socket = new Socket()) {
			socket.setReceiveBufferSize(4096);
			socket.connect(new InetSocketAddress("localhost", this.port), 5000);
			socket.setSoTimeout(5000);
			socket.getOutputStream()
				.write(("GET /realtime/sse?topic=stalled HTTP/1.1\r\nHost: localhost\r\n\r\n")
					.getBytes(StandardCharsets.US_ASCII));
			AbstractSseStreamIntegrationTests.readUntil(socket.getInputStream(), "event:ready");
			long open = tomcatConnections();
			assertThat(open).isPositive();

			// far more than the socket buffers hold, and less than the send buffer: only the
			// time limit can end this stream
			PaddedMessages.publishBurst(this.publisher, "stalled", 0, 100);
			await().atMost(Duration.ofSeconds(10)).until(() -> tomcatConnections() == open - 1);
			await().atMost(Duration.ofSeconds(5)).until(() -> this.registry.count("sse") == 0);
		}
	}

	private long tomcatConnections() {
		TomcatWebServer server = (TomcatWebServer) this.context.getWebServer();
		return ((AbstractProtocol<?>) server.getTomcat().getConnector().getProtocolHandler()).getConnectionCount();
	}

}
