package io.realtime.autoconfigure;

import java.time.Clock;

import io.realtime.core.Broker;
import io.realtime.core.InMemoryBroker;
import io.realtime.core.InMemoryPresence;
import io.realtime.core.Presence;
import io.realtime.webmvc.Admission;
import io.realtime.webmvc.ClientLimits;
import io.realtime.webmvc.ConnectionRegistry;
import io.realtime.webmvc.RealtimeAuthorizationPolicy;
import io.realtime.webmvc.RealtimeMetrics;
import io.realtime.webmvc.RealtimePublisher;
import io.realtime.webmvc.TopicPatternAuthorizationPolicy;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.unit.DataSize;

/**
 * {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration Auto-configuration} of
 * the broker, the Java publishing API and the authorization policy; any application, web or
 * not.
 *
 * @since 0.1.0
 */
@AutoConfiguration(afterName = "org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration")
@EnableConfigurationProperties(RealtimeProperties.class)
public final class RealtimeAutoConfiguration {

	RealtimeAutoConfiguration(RealtimeProperties properties) {
		RealtimePropertiesValidator.validate(properties);
	}

	@Bean
	@ConditionalOnMissingBean
	Broker realtimeBroker(RealtimeProperties properties) {
		if (properties.getBroker().getType() == RealtimeProperties.Broker.Type.REDIS) {
			// RealtimeRedisAutoConfiguration would have defined the Redis broker, had realtime-redis been there
			throw new InvalidConfigurationPropertyValueException("realtime.broker.type", "redis",
					"needs io.realtime:realtime-redis-spring-boot-starter and a Redis connection");
		}
		RealtimeProperties.History history = properties.getHistory();
		InMemoryBroker broker = new InMemoryBroker(history.getSize(), history.getTtl(), Clock.systemUTC());
		Integer maxTopics = properties.getMaxTopics();
		if (maxTopics != null) {
			broker.setMaxTopics(maxTopics);
		}
		DataSize maxBytes = history.getMaxBytes();
		if (maxBytes != null) {
			broker.setMaxHistoryBytes(maxBytes.toBytes());
		}
		return broker;
	}

	/** Who is present on topics, in this instance's memory; {@code realtime-redis} shares it. */
	@Bean
	@ConditionalOnMissingBean
	Presence realtimePresence(RealtimeProperties properties) {
		return new InMemoryPresence(properties.getPresence().getMaxMembers());
	}

	/** The publishing API and the policy, from realtime-webmvc: also for apps without a web server. */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(RealtimePublisher.class)
	static class PublishingConfiguration {

		@Bean
		@ConditionalOnMissingBean
		RealtimeMetrics realtimeMetrics() {
			return new RealtimeMetrics();
		}

		@Bean
		@ConditionalOnMissingBean
		RealtimeAuthorizationPolicy realtimeAuthorizationPolicy(RealtimeProperties properties) {
			return new TopicPatternAuthorizationPolicy(properties.getPublish().getAllowedTopics());
		}

		@Bean
		@ConditionalOnMissingBean
		RealtimePublisher realtimePublisher(Broker broker, ObjectProvider<JsonMapper> jsonMapper,
				RealtimeMetrics metrics) {
			return new RealtimePublisher(broker, jsonMapper.getIfAvailable(() -> JsonMapper.builder().build()), metrics);
		}

		@Bean
		@ConditionalOnMissingBean
		Admission realtimeAdmission(RealtimeAuthorizationPolicy policy, ClientLimits limits,
				RealtimeProperties properties) {
			return new Admission(policy, properties.getMaxTopicsPerConnection(),
					(int) properties.getMaxMessageSize().toBytes(), properties.getHistory().getMaxRewind(), limits);
		}

		@Bean
		@ConditionalOnMissingBean
		ClientLimits realtimeClientLimits(RealtimeProperties properties) {
			RealtimeProperties.Limits limits = properties.getLimits();
			if (!limits.isEnabled()) {
				return ClientLimits.UNLIMITED;
			}
			return new ClientLimits(limits.getConnectionsPerClient(), rate(limits.getPublish()),
					rate(limits.getSubscribe()), rate(limits.getWebsocketFrames()), limits.getMaxClients());
		}

		private static ClientLimits.Rate rate(RealtimeProperties.Limits.Rate rate) {
			return new ClientLimits.Rate(rate.getRate(), rate.getBurst());
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(name = "io.micrometer.core.instrument.binder.MeterBinder", value = RealtimeMetrics.class)
	static class MetricsConfiguration {

		@Bean
		@ConditionalOnMissingBean
		RealtimeMeterBinder realtimeMeterBinder(RealtimeMetrics metrics, Broker broker,
				ObjectProvider<ConnectionRegistry> connections) {
			return new RealtimeMeterBinder(metrics, broker, connections.getIfAvailable());
		}

	}

}
