package io.realtime.autoconfigure.redis;

import io.realtime.redis.RedisBroker;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Configuration properties of the Redis broker. The connection itself is Spring Boot's
 * ({@code spring.data.redis.*}); history size and age are {@code realtime.history.*}.
 *
 * @since 0.1.0
 */
@ConfigurationProperties("realtime.redis")
public class RealtimeRedisProperties {

	/**
	 * Prefix of every Redis key and channel the broker uses. Instances share messages only
	 * when they use the same namespace on the same Redis.
	 */
	private String namespace = RedisBroker.DEFAULT_NAMESPACE;

	public String getNamespace() {
		return this.namespace;
	}

	public void setNamespace(String namespace) {
		this.namespace = namespace;
	}

}
