package io.realtime.webmvc.http;

import java.io.IOException;
import java.io.InputStream;

import io.realtime.test.AsyncRequests;
import io.realtime.test.SmallSendBuffers;
import io.realtime.test.TestApplication;
import io.realtime.test.TomcatFastPath;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SSE streams taken over from their requests, the default on Tomcat over HTTP/1.1: the body runs
 * until the connection closes.
 */
@TomcatFastPath
@SpringBootTest(classes = { TestApplication.class, SmallSendBuffers.class, AsyncRequests.class },
		webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "realtime.send-buffer-size=16KB", "realtime.sse.heartbeat=200ms" })
class DetachedSseIntegrationTests extends AbstractSseStreamIntegrationTests {

	@Override
	void assertHead(String head) {
		assertThat(head).containsIgnoringCase("Connection: close")
			.doesNotContainIgnoringCase("Transfer-Encoding")
			.doesNotContainIgnoringCase("Content-Length");
	}

	@Override
	void assertStreamEnds(InputStream in) throws IOException {
		// the connection closes
		assertThat(in.readAllBytes()).isNotEmpty();
	}

	@Override
	boolean keepsItsRequest() {
		return false;
	}

}
