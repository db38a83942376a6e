package io.realtime.autoconfigure.redis;

import io.realtime.redis.RedisBroker;
import io.realtime.redis.test.RedisCluster;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two application instances on a Redis Cluster of three masters and three replicas, pointed at
 * it with {@code spring.data.redis.cluster.nodes} alone.
 */
class TwoInstancesOnClusterIntegrationTests extends AbstractTwoInstancesIntegrationTests {

	@Override
	String[] redisProperties() {
		return new String[] { "spring.data.redis.cluster.nodes=" + String.join(",", RedisCluster.shared().nodes()) };
	}

	@Test
	void notificationsUseShardedPubSub() {
		assertThat(instance().bean(RedisBroker.class).isSharded()).isTrue();
	}

}
