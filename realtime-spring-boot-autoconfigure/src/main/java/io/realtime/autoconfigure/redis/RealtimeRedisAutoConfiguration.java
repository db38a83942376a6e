package io.realtime.autoconfigure.redis;

import java.time.Duration;

import io.lettuce.core.ClientOptions.DisconnectedBehavior;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.realtime.autoconfigure.RealtimeAutoConfiguration;
import io.realtime.autoconfigure.RealtimeProperties;
import io.realtime.autoconfigure.RealtimePropertiesValidator;
import io.realtime.core.Broker;
import io.realtime.core.Presence;
import io.realtime.redis.RedisBroker;
import io.realtime.redis.RedisPresence;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.data.redis.autoconfigure.LettuceClientOptionsBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.data.redis.connection.RedisConnectionFactory;

/**
 * {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration Auto-configuration} of
 * the {@link RedisBroker} of {@code realtime-redis} on the application's Redis connection
 * ({@code spring.data.redis.*}), and its {@link RedisPresence}. They take the place of the
 * in-memory broker and presence unless
 * {@code realtime.broker.type=memory}.
 *
 * @since 0.1.0
 */
@AutoConfiguration(before = RealtimeAutoConfiguration.class,
		afterName = "org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration")
@ConditionalOnClass({ RedisConnectionFactory.class, RedisBroker.class })
@ConditionalOnProperty(name = "realtime.broker.type", havingValue = "redis", matchIfMissing = true)
@EnableConfigurationProperties({ RealtimeProperties.class, RealtimeRedisProperties.class })
public final class RealtimeRedisAutoConfiguration {

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnBean(RedisConnectionFactory.class)
	static class RedisBrokerConfiguration {

		@Bean
		@ConditionalOnMissingBean(Broker.class)
		RedisBroker realtimeBroker(RedisConnectionFactory connectionFactory, RealtimeProperties properties,
				RealtimeRedisProperties redisProperties) {
			// this runs before RealtimeAutoConfiguration, which validates the same way
			RealtimePropertiesValidator.validate(properties);
			RealtimePropertiesValidator.validate(redisProperties);
			RealtimeProperties.History history = properties.getHistory();
			RedisBroker broker = new RedisBroker(connectionFactory, history.getSize(), history.getTtl());
			broker.setNamespace(redisProperties.getNamespace());
			broker.setMinReplicas(redisProperties.getMinReplicas());
			broker.setReplicaTimeout(redisProperties.getReplicaTimeout());
			Integer maxTopics = properties.getMaxTopics();
			if (maxTopics != null) {
				broker.setMaxTopics(maxTopics);
			}
			broker.start();
			return broker;
		}

		/** Presence shared by every instance, renewed every {@code realtime.presence.heartbeat}. */
		@Bean
		@ConditionalOnMissingBean(Presence.class)
		RedisPresence realtimePresence(RedisConnectionFactory connectionFactory, RealtimeProperties properties,
				RealtimeRedisProperties redisProperties) {
			RealtimePropertiesValidator.validate(properties);
			RealtimeProperties.Presence settings = properties.getPresence();
			RedisPresence presence = new RedisPresence(connectionFactory, settings.getMaxMembers());
			presence.setNamespace(redisProperties.getNamespace());
			presence.setHeartbeat(settings.getHeartbeat());
			presence.start();
			return presence;
		}

		/** With Micrometer, what each instance hears from Redis: only its subscribers' topics. */
		@Configuration(proxyBeanMethods = false)
		@ConditionalOnClass(name = "io.micrometer.core.instrument.binder.MeterBinder")
		static class MetricsConfiguration {

			/** The broker may be the application's own, not a Redis one: asked for when bound. */
			@Bean
			MeterBinder realtimeRedisMeterBinder(ObjectProvider<RedisBroker> broker) {
				return (registry) -> broker.ifAvailable((redis) -> FunctionCounter
					.builder("realtime.redis.notifications", redis, RedisBroker::notificationCount)
					.description("Message notifications this instance received from Redis, for topics it has subscribers on")
					.register(registry));
			}

		}

		/** Spring Boot's Redis support builds the Lettuce client; without it the connection is the user's own. */
		@Configuration(proxyBeanMethods = false)
		@ConditionalOnClass(LettuceClientOptionsBuilderCustomizer.class)
		static class LettuceConfiguration {

			/** How often the cluster topology is refreshed unless the application says otherwise. */
			static final Duration CLUSTER_REFRESH_PERIOD = Duration.ofSeconds(30);

			private static final String REFRESH = "spring.data.redis.lettuce.cluster.refresh";

			/**
			 * Fail commands at once while Redis is unreachable, instead of queueing them until
			 * the command timeout: a publish then answers 503 at once, and clients retry.
			 */
			@Bean
			LettuceClientOptionsBuilderCustomizer realtimeRedisClientOptionsCustomizer() {
				return (options) -> options.disconnectedBehavior(DisconnectedBehavior.REJECT_COMMANDS);
			}

			/**
			 * On a Redis Cluster, also refresh Lettuce's view of the topology every
			 * {@link #CLUSTER_REFRESH_PERIOD} unless {@code spring.data.redis.lettuce.cluster.refresh.period}
			 * says otherwise. Lettuce 7 already refreshes it when it goes stale (adaptive triggers:
			 * {@code MOVED}, persistent reconnects, unknown nodes); the period catches what no command
			 * ran into, so publishes reach the new owner of a topic's slot and the broker's sharded
			 * subscriptions follow it.
			 */
			@Bean
			LettuceClientOptionsBuilderCustomizer realtimeRedisClusterRefreshCustomizer(Environment environment) {
				Binder binder = Binder.get(environment);
				return (options) -> {
					if (options instanceof ClusterClientOptions.Builder cluster
							&& !binder.bind(REFRESH + ".period", Duration.class).isBound()) {
						ClusterTopologyRefreshOptions.Builder refresh = ClusterTopologyRefreshOptions.builder()
							.dynamicRefreshSources(
									binder.bind(REFRESH + ".dynamic-refresh-sources", Boolean.class).orElse(true))
							.enablePeriodicRefresh(CLUSTER_REFRESH_PERIOD);
						cluster.topologyRefreshOptions(refresh.build());
					}
				};
			}

		}

	}

	/** {@code realtime.broker.type=redis} without a Redis connection is a mistake, not a fallback. */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnMissingBean(RedisConnectionFactory.class)
	@ConditionalOnProperty(name = "realtime.broker.type", havingValue = "redis")
	static class MissingConnectionConfiguration {

		MissingConnectionConfiguration() {
			throw new InvalidConfigurationPropertyValueException("realtime.broker.type", "redis",
					"no Redis connection is configured: add spring-boot-data-redis and spring.data.redis.* settings");
		}

	}

}
