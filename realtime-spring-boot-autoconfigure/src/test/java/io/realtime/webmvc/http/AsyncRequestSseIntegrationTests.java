package io.realtime.webmvc.http;

import java.io.IOException;
import java.io.InputStream;

import io.realtime.test.AsyncRequests;
import io.realtime.test.SmallSendBuffers;
import io.realtime.test.TestApplication;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SSE streams on async requests, as on containers that cannot take a connection over
 * ({@code realtime.sse.detach=false} here): an ordinary chunked response that keeps its connection.
 */
@SpringBootTest(classes = { TestApplication.class, SmallSendBuffers.class, AsyncRequests.class },
		webEnvironment = WebEnvironment.RANDOM_PORT, properties = { "realtime.send-buffer-size=16KB",
				"realtime.sse.heartbeat=200ms", "realtime.sse.detach=false" })
class AsyncRequestSseIntegrationTests extends AbstractSseStreamIntegrationTests {

	@Override
	void assertHead(String head) {
		assertThat(head).containsIgnoringCase("Transfer-Encoding: chunked").doesNotContainIgnoringCase("Connection: close");
	}

	@Override
	void assertStreamEnds(InputStream in) throws IOException {
		// the last chunk; the connection stays open for the next request
		readUntil(in, "\r\n0\r\n\r\n");
	}

	@Override
	boolean keepsItsRequest() {
		return true;
	}

}
