package io.realtime.autoconfigure.redis;

import io.realtime.redis.test.RedisServer;
import io.realtime.test.TestApplication;
import io.realtime.webmvc.PresenceIntegrationTests;
import org.junit.jupiter.api.Tag;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The presence tests of every transport again, with presence in Redis ({@code RedisPresence}).
 */
@Tag("redis")
@SpringBootTest(classes = { TestApplication.class, PresenceIntegrationTests.PresenceConfiguration.class },
		webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "realtime.presence.topics=room/**", "realtime.presence.poll-timeout=1s",
				"realtime.presence.max-members=3", "realtime.presence.max-info-size=64B",
				"realtime.long-poll.timeout=2s", "realtime.sse.heartbeat=500ms", "realtime.presence.heartbeat=500ms" })
class RedisPresenceIntegrationTests extends PresenceIntegrationTests {

	@DynamicPropertySource
	static void redis(DynamicPropertyRegistry registry) {
		registry.add("spring.data.redis.host", () -> "127.0.0.1");
		registry.add("spring.data.redis.port", () -> RedisServer.shared().port());
	}

}
