package io.realtime.autoconfigure.redis;

import java.time.Duration;

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

	/**
	 * Replicas that must have a message before its publish is acknowledged (Redis WAIT), so a
	 * failover loses no acknowledged message; 0 acknowledges once the master has it. Not
	 * supported on Redis Cluster yet.
	 */
	private int minReplicas;

	/**
	 * Longest wait for those replicas; past it the publish fails as broker unavailable (503).
	 * Keep it below the Redis command timeout (spring.data.redis.timeout).
	 */
	private Duration replicaTimeout = Duration.ofSeconds(1);

	public String getNamespace() {
		return this.namespace;
	}

	public void setNamespace(String namespace) {
		this.namespace = namespace;
	}

	public int getMinReplicas() {
		return this.minReplicas;
	}

	public void setMinReplicas(int minReplicas) {
		this.minReplicas = minReplicas;
	}

	public Duration getReplicaTimeout() {
		return this.replicaTimeout;
	}

	public void setReplicaTimeout(Duration replicaTimeout) {
		this.replicaTimeout = replicaTimeout;
	}

}
