package io.realtime.webmvc;

import io.realtime.test.UserMessagesScenarios;
import io.realtime.test.UsersApplication;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Tag;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Messages to one user on the in-memory broker, on the fast paths and Spring's portable path.
 * The same scenarios on two instances on Redis: {@code UserMessagesOnRedisIntegrationTests}.
 */
@Tag("security")
class UserMessagesIntegrationTests {

	abstract static class OneInstance extends UserMessagesScenarios {

		@LocalServerPort
		int port;

		@Autowired
		RealtimePublisher publisher;

		@Override
		protected int port(int instance) {
			return this.port;
		}

		@Override
		protected RealtimePublisher publisher(int instance) {
			return this.publisher;
		}

	}

	@Nested
	@SpringBootTest(classes = UsersApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
			properties = "realtime.publish.allowed-topics=**")
	class FastPaths extends OneInstance {

	}

	@Nested
	@SpringBootTest(classes = UsersApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
			properties = { "realtime.publish.allowed-topics=**", "realtime.fast-paths.enabled=false",
					"realtime.sse.detach=false", "realtime.long-poll.detach=false" })
	class PortablePath extends OneInstance {

	}

}
