package io.realtime.autoconfigure.redis;

import java.time.Duration;
import java.util.UUID;
import java.util.function.LongSupplier;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.realtime.autoconfigure.RealtimeAutoConfiguration;
import io.realtime.core.Broker;
import io.realtime.core.InMemoryPresence;
import io.realtime.core.Presence;
import io.realtime.core.BrokerUnavailableException;
import io.realtime.core.InMemoryBroker;
import io.realtime.core.Subscription;
import io.realtime.redis.RedisBroker;
import io.realtime.redis.RedisPresence;
import io.realtime.redis.test.RedisCluster;
import io.realtime.redis.test.RedisServer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.data.redis.autoconfigure.LettuceClientOptionsBuilderCustomizer;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link RealtimeRedisAutoConfiguration} and {@link RealtimeRedisHealthAutoConfiguration}.
 */
@Tag("redis")
class RealtimeRedisAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class,
				RealtimeRedisAutoConfiguration.class, RealtimeAutoConfiguration.class,
				RealtimeRedisHealthAutoConfiguration.class))
		.withPropertyValues("spring.data.redis.host=127.0.0.1",
				"spring.data.redis.port=" + RedisServer.shared().port());

	@Test
	void brokerIsTheRedisBrokerWhenRedisIsConfigured() {
		this.contextRunner.withPropertyValues("realtime.history.size=7", "realtime.redis.namespace=autoconfig")
			.run((context) -> {
				assertThat(context).hasSingleBean(Broker.class);
				RedisBroker broker = context.getBean(RedisBroker.class);
				assertThat(broker.isListening()).isTrue();
				String topic = "autoconfig";
				String start = broker.read(topic, null, 0).position();
				for (int i = 0; i < 10; i++) {
					broker.publish(topic, Integer.toString(i));
				}
				// history size comes from realtime.history.size
				assertThat(broker.read(topic, start, 100).recovered()).isFalse();
				assertThat(broker.read(topic, start, 100).messages()).hasSize(7);
			});
	}

	@Test
	void presenceIsSharedInRedisWhenRedisIsConfigured() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasSingleBean(Presence.class);
			assertThat(context.getBean(Presence.class)).isInstanceOf(RedisPresence.class);
		});
	}

	@Test
	void memoryTypeKeepsThePresenceInMemory() {
		this.contextRunner.withPropertyValues("realtime.broker.type=memory")
			.run((context) -> assertThat(context.getBean(Presence.class)).isInstanceOf(InMemoryPresence.class));
	}

	@Test
	void presenceBacksOffWhenUserDefinesOne() {
		this.contextRunner.withBean("userPresence", Presence.class, InMemoryPresence::new).run((context) -> {
			assertThat(context).hasSingleBean(Presence.class);
			assertThat(context).getBean(Presence.class).isSameAs(context.getBean("userPresence"));
		});
	}

	@Test
	void memoryTypeKeepsTheInMemoryBroker() {
		this.contextRunner.withPropertyValues("realtime.broker.type=memory").run((context) -> {
			assertThat(context).hasSingleBean(Broker.class);
			assertThat(context.getBean(Broker.class)).isInstanceOf(InMemoryBroker.class);
			assertThat(context).doesNotHaveBean(RedisBrokerHealthIndicator.class);
		});
	}

	@Test
	void brokerIsInMemoryWithoutARedisConnection() {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(RealtimeRedisAutoConfiguration.class,
					RealtimeAutoConfiguration.class, RealtimeRedisHealthAutoConfiguration.class))
			.run((context) -> assertThat(context.getBean(Broker.class)).isInstanceOf(InMemoryBroker.class));
	}

	@Test
	void brokerIsInMemoryWithoutRealtimeRedis() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(RedisBroker.class)).run((context) -> {
			assertThat(context.getBean(Broker.class)).isInstanceOf(InMemoryBroker.class);
			assertThat(context).doesNotHaveBean(LettuceClientOptionsBuilderCustomizer.class);
			assertThat(context).doesNotHaveBean(RedisBrokerHealthIndicator.class);
		});
	}

	@Test
	void brokerIsInMemoryWithoutSpringDataRedis() {
		this.contextRunner.withClassLoader(new FilteredClassLoader("org.springframework.data.redis"))
			.run((context) -> {
				assertThat(context.getBean(Broker.class)).isInstanceOf(InMemoryBroker.class);
				assertThat(context).doesNotHaveBean(LettuceClientOptionsBuilderCustomizer.class);
				assertThat(context).doesNotHaveBean(RedisBrokerHealthIndicator.class);
			});
	}

	@Test
	void redisTypeWithoutRealtimeRedisFailsFastNamingTheStarter() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(RedisBroker.class))
			.withPropertyValues("realtime.broker.type=redis")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.isInstanceOf(InvalidConfigurationPropertyValueException.class)
				.hasMessageContaining("realtime-redis-spring-boot-starter"));
	}

	@Test
	void brokerIsTheRedisBrokerOnTheUsersConnectionWithoutSpringBootRedisSupport() {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(RealtimeRedisAutoConfiguration.class,
					RealtimeAutoConfiguration.class))
			.withClassLoader(new FilteredClassLoader("org.springframework.boot.data.redis"))
			.withUserConfiguration(UserConnectionConfiguration.class)
			.run((context) -> {
				assertThat(context.getBean(Broker.class)).isInstanceOf(RedisBroker.class);
				assertThat(context.getBean(RedisBroker.class).isListening()).isTrue();
				assertThat(context).doesNotHaveBean(LettuceClientOptionsBuilderCustomizer.class);
			});
	}

	@Test
	void redisTypeWithoutARedisConnectionFailsFast() {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(RealtimeRedisAutoConfiguration.class,
					RealtimeAutoConfiguration.class))
			.withPropertyValues("realtime.broker.type=redis")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.isInstanceOf(InvalidConfigurationPropertyValueException.class)
				.hasMessageContaining("realtime.broker.type"));
	}

	@Test
	void brokerBacksOffWhenUserDefinesOne() {
		this.contextRunner.withUserConfiguration(UserBrokerConfiguration.class).run((context) -> {
			assertThat(context).hasSingleBean(Broker.class);
			assertThat(context.getBean(Broker.class)).isSameAs(context.getBean("userBroker"));
			assertThat(context).doesNotHaveBean(RedisBrokerHealthIndicator.class);
		});
	}

	@Test
	void emptyNamespaceFailsFast() {
		this.contextRunner.withPropertyValues("realtime.redis.namespace= ")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("realtime.redis.namespace"));
	}

	@Test
	void minReplicasMakesPublishesWaitForThatManyReplicas() {
		this.contextRunner
			.withPropertyValues("realtime.redis.namespace=autoconfig-wait", "realtime.redis.min-replicas=1",
					"realtime.redis.replica-timeout=100ms")
			.run((context) -> {
				// the test's Redis has no replica
				Broker broker = context.getBean(Broker.class);
				assertThatExceptionOfType(BrokerUnavailableException.class)
					.isThrownBy(() -> broker.publish("autoconfig", "1"))
					.withMessageContaining("0 of 1 replicas within 100 ms");
			});
	}

	@Test
	void negativeMinReplicasFailsFast() {
		this.contextRunner.withPropertyValues("realtime.redis.min-replicas=-1")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("realtime.redis.min-replicas"));
	}

	@Test
	void clusterTopologyIsRefreshedAdaptivelyAndPeriodically() {
		ApplicationContextRunner onCluster = new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class,
					RealtimeRedisAutoConfiguration.class, RealtimeAutoConfiguration.class))
			.withPropertyValues("spring.data.redis.cluster.nodes=" + String.join(",", RedisCluster.shared().nodes()));
		onCluster.run((context) -> {
			assertThat(context.getBean(RedisBroker.class).isSharded()).isTrue();
			ClusterTopologyRefreshOptions refresh = refreshOptions(context.getBean(LettuceConnectionFactory.class));
			assertThat(refresh.getAdaptiveRefreshTriggers()).isNotEmpty();
			assertThat(refresh.isPeriodicRefreshEnabled()).isTrue();
			assertThat(refresh.getRefreshPeriod()).isEqualTo(Duration.ofSeconds(30));
		});
		onCluster.withPropertyValues("spring.data.redis.lettuce.cluster.refresh.period=5m").run((context) -> {
			ClusterTopologyRefreshOptions refresh = refreshOptions(context.getBean(LettuceConnectionFactory.class));
			assertThat(refresh.getAdaptiveRefreshTriggers()).isNotEmpty();
			assertThat(refresh.getRefreshPeriod()).isEqualTo(Duration.ofMinutes(5));
		});
	}

	@Test
	void notificationsAreCountedForMicrometer() {
		this.contextRunner.run((context) -> {
			RedisBroker broker = context.getBean(RedisBroker.class);
			// a method reference, not a lambda taking the broker: the class loads without realtime-redis
			LongSupplier notifications = broker::notificationCount;
			SimpleMeterRegistry registry = new SimpleMeterRegistry();
			context.getBean("realtimeRedisMeterBinder", MeterBinder.class).bindTo(registry);
			String topic = "metrics:" + UUID.randomUUID();
			Subscription subscription = broker.subscribe(topic, null, (message) -> {
			});
			broker.publish(topic, "1");
			await().atMost(Duration.ofSeconds(10))
				.untilAsserted(() -> assertThat(registry.get("realtime.redis.notifications").functionCounter().count())
					.isEqualTo(notifications.getAsLong())
					.isPositive());
			subscription.cancel();
		});
	}

	@Test
	void healthIsUpWhileRedisAnswers() {
		this.contextRunner.run((context) -> {
			Health health = context.getBean(RedisBrokerHealthIndicator.class).health(true);
			assertThat(health.getStatus()).isEqualTo(Status.UP);
			assertThat(health.getDetails()).containsEntry("listening", true);
		});
	}

	@Test
	void healthIndicatorIsAbsentWithoutTheHealthModule() {
		this.contextRunner.withClassLoader(new FilteredClassLoader("org.springframework.boot.health"))
			.run((context) -> {
				assertThat(context).hasSingleBean(RedisBroker.class);
				assertThat(context).doesNotHaveBean("realtimeBrokerHealthIndicator");
			});
	}

	@Test
	void healthIndicatorCanBeDisabled() {
		this.contextRunner.withPropertyValues("management.health.realtimeBroker.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(RedisBrokerHealthIndicator.class));
	}

	private static ClusterTopologyRefreshOptions refreshOptions(LettuceConnectionFactory connectionFactory) {
		ClientOptions options = connectionFactory.getClientConfiguration().getClientOptions().orElseThrow();
		return ((ClusterClientOptions) options).getTopologyRefreshOptions();
	}

	@Configuration(proxyBeanMethods = false)
	static class UserConnectionConfiguration {

		@Bean
		LettuceConnectionFactory userConnectionFactory() {
			return new LettuceConnectionFactory(new RedisStandaloneConfiguration("127.0.0.1", RedisServer.shared().port()));
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class UserBrokerConfiguration {

		@Bean
		Broker userBroker(RedisConnectionFactory connectionFactory) {
			return new InMemoryBroker();
		}

	}

}
