package io.realtime.autoconfigure.redis;

import io.realtime.autoconfigure.RealtimeAutoConfiguration;
import io.realtime.redis.RedisBroker;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration Auto-configuration} of
 * the {@code realtimeBroker} health contributor, when the broker is the Redis one.
 *
 * @since 0.1.0
 */
@AutoConfiguration(after = { RealtimeRedisAutoConfiguration.class, RealtimeAutoConfiguration.class })
@ConditionalOnClass(value = RedisBroker.class, name = "org.springframework.boot.health.contributor.HealthIndicator")
@ConditionalOnBean(RedisBroker.class)
public final class RealtimeRedisHealthAutoConfiguration {

	// nested, so the health module's condition is read only once the module is known present
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnEnabledHealthIndicator("realtimeBroker")
	static class HealthIndicatorConfiguration {

		@Bean
		@ConditionalOnMissingBean(name = "realtimeBrokerHealthIndicator")
		RedisBrokerHealthIndicator realtimeBrokerHealthIndicator(RedisBroker broker) {
			return new RedisBrokerHealthIndicator(broker);
		}

	}

}
