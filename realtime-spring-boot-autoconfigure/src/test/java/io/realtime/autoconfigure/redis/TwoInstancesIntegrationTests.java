package io.realtime.autoconfigure.redis;

import io.realtime.redis.test.RedisServer;

/**
 * Two application instances on one standalone Redis.
 */
class TwoInstancesIntegrationTests extends AbstractTwoInstancesIntegrationTests {

	@Override
	String[] redisProperties() {
		return new String[] { "spring.data.redis.host=127.0.0.1",
				"spring.data.redis.port=" + RedisServer.shared().port() };
	}

}
