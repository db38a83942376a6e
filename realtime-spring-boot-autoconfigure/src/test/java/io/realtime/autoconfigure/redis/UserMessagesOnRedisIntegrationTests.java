package io.realtime.autoconfigure.redis;

import io.realtime.redis.test.RedisServer;
import io.realtime.test.UserMessagesScenarios;
import io.realtime.test.UsersApplication;
import io.realtime.webmvc.RealtimePublisher;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestInstance.Lifecycle;

/**
 * Messages to one user across two instances of a secured application on one Redis: each user
 * is connected to both instances, and a message published on either reaches only that user.
 */
@Tag("redis")
@Tag("security")
@TestInstance(Lifecycle.PER_CLASS)
class UserMessagesOnRedisIntegrationTests extends UserMessagesScenarios {

	private AppInstance[] instances;

	@BeforeAll
	void start() {
		String[] redis = { "spring.data.redis.host=127.0.0.1", "spring.data.redis.port=" + RedisServer.shared().port(),
				"realtime.redis.namespace=users-" + System.nanoTime() };
		this.instances = new AppInstance[] { AppInstance.start(UsersApplication.class, redis),
				AppInstance.start(UsersApplication.class, redis) };
	}

	@AfterAll
	void stop() {
		for (AppInstance instance : this.instances) {
			instance.close();
		}
	}

	@Override
	protected int port(int instance) {
		return this.instances[instance].port();
	}

	@Override
	protected RealtimePublisher publisher(int instance) {
		return this.instances[instance].bean(RealtimePublisher.class);
	}

}
