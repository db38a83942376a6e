package io.realtime.autoconfigure.redis;

import io.realtime.redis.RedisBroker;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * Health of the Redis broker: {@code DOWN} while Redis does not answer, or while this instance
 * does not hear what the other instances publish.
 *
 * @since 0.1.0
 */
public class RedisBrokerHealthIndicator extends AbstractHealthIndicator {

	private final RedisBroker broker;

	public RedisBrokerHealthIndicator(RedisBroker broker) {
		super("Realtime broker health check failed");
		this.broker = broker;
	}

	@Override
	protected void doHealthCheck(Health.Builder builder) {
		this.broker.ping();
		boolean listening = this.broker.isListening();
		(listening ? builder.up() : builder.down())
			.withDetail("broker", "redis")
			.withDetail("listening", listening)
			.withDetail("topics", this.broker.topicCount())
			.withDetail("subscriptions", this.broker.subscriptionCount());
	}

}
