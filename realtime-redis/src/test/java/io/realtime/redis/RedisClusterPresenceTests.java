package io.realtime.redis;

import io.realtime.redis.test.RedisCluster;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * The same on a Redis Cluster: each topic's presence in its own slot, news on sharded channels.
 */
class RedisClusterPresenceTests extends RedisPresenceTests {

	@Override
	LettuceConnectionFactory connect() {
		return RedisCluster.shared().connectionFactory();
	}

}
