package io.realtime.autoconfigure;

import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;

import io.realtime.core.Broker;
import io.realtime.core.HistoryPage;
import io.realtime.core.InMemoryBroker;
import io.realtime.core.InMemoryPresence;
import io.realtime.core.Presence;
import io.realtime.core.TopicLimitException;
import io.realtime.core.Message;
import io.realtime.core.MessageListener;
import io.realtime.core.Subscription;
import io.realtime.webmvc.Admission;
import io.realtime.webmvc.ClientLimits;
import io.realtime.webmvc.ConnectionRegistry;
import io.realtime.webmvc.RealtimeAuthorizationPolicy;
import io.realtime.webmvc.RealtimeException;
import io.realtime.webmvc.RealtimeMetrics;
import io.realtime.webmvc.RealtimePresence;
import io.realtime.webmvc.RealtimePublisher;
import io.realtime.webmvc.TopicPatternAuthorizationPolicy;
import io.realtime.webmvc.WireFormat;
import io.realtime.webmvc.container.ContainerFastPaths;
import io.realtime.webmvc.tomcat.TomcatFastPaths;
import io.realtime.webmvc.http.LongPollEndpoint;
import io.realtime.webmvc.http.PollEndpoint;
import io.realtime.webmvc.http.PresenceEndpoint;
import io.realtime.webmvc.http.PublishEndpoint;
import io.realtime.webmvc.http.RealtimeProblemHandler;
import io.realtime.webmvc.http.SseEndpoint;
import io.realtime.webmvc.websocket.RealtimeWebSocketHandler;
import io.realtime.webmvc.websocket.WebSocketSettings;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.assertj.AssertableWebApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.ClassPathResource;
import org.springframework.util.unit.DataSize;
import org.springframework.web.servlet.DispatcherServlet;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.handler.WebSocketHandlerDecorator;
import org.springframework.web.socket.server.support.WebSocketHandlerMapping;
import org.springframework.web.socket.server.support.WebSocketHttpRequestHandler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for {@link RealtimeAutoConfiguration} and {@link RealtimeWebMvcAutoConfiguration}.
 */
class RealtimeAutoConfigurationTests {

	/** Every bean a transport switch controls, by the switch's property. */
	private static final Map<String, Class<?>> TRANSPORTS = Map.of("realtime.poll.enabled", PollEndpoint.class,
			"realtime.long-poll.enabled", LongPollEndpoint.class, "realtime.sse.enabled", SseEndpoint.class,
			"realtime.websocket.enabled", RealtimeWebSocketHandler.class, "realtime.publish.enabled",
			PublishEndpoint.class);

	private final WebApplicationContextRunner contextRunner = new WebApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(JacksonAutoConfiguration.class, RealtimeAutoConfiguration.class,
				RealtimeWebMvcAutoConfiguration.class));

	@Test
	void defaultsProvideTheBrokerPublisherPolicyAndEveryTransport() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context).getBean(Broker.class).isInstanceOf(InMemoryBroker.class);
			assertThat(context).hasSingleBean(RealtimePublisher.class);
			assertThat(context).hasSingleBean(RealtimeMetrics.class);
			assertThat(context).hasSingleBean(Admission.class);
			assertThat(context).getBean(RealtimeAuthorizationPolicy.class)
				.isInstanceOf(TopicPatternAuthorizationPolicy.class);
			assertThat(context).hasSingleBean(ConnectionRegistry.class);
			assertThat(context).hasSingleBean(RealtimeProblemHandler.class);
			TRANSPORTS.values().forEach((type) -> assertThat(context).hasSingleBean(type));
			assertThat(context).hasBean("realtimeWebSocketMapping");
			assertThat(webSocketHandlerMappedAt(context, "/realtime/ws"))
				.isSameAs(context.getBean(RealtimeWebSocketHandler.class));
		});
	}

	@Test
	void defaultPolicyLetsAnyoneSubscribeButPublishOnlyOnAllowedTopics() {
		this.contextRunner.withPropertyValues("realtime.publish.allowed-topics=chat,news/**").run((context) -> {
			RealtimeAuthorizationPolicy policy = context.getBean(RealtimeAuthorizationPolicy.class);
			assertThat(policy.canSubscribe(null, "anything")).isTrue();
			assertThat(policy.canPublish(null, "chat")).isTrue();
			assertThat(policy.canPublish(null, "news/today")).isTrue();
			assertThat(policy.canPublish(null, "chats")).isFalse();
		});
	}

	@Test
	void corsFilterIsAbsentForSameOriginOnly() {
		this.contextRunner.withPropertyValues("realtime.allowed-origins=")
			.run((context) -> assertThat(context).doesNotHaveBean("realtimeCorsFilter"));
	}

	@Test
	void corsFilterCoversTheBasePathBeforeSpringSecurity() {
		this.contextRunner
			.withPropertyValues("realtime.allowed-origins[0]=https://app.example", "realtime.base-path=/rt")
			.run((context) -> {
				FilterRegistrationBean<?> registration = context.getBean("realtimeCorsFilter",
						FilterRegistrationBean.class);
				assertThat(registration.getUrlPatterns()).containsExactly("/rt/*");
				assertThat(registration.getOrder()).isLessThan(-100);
			});
	}

	@Test
	void defaultPolicyLetsClientsPublishNowhere() {
		this.contextRunner.run((context) -> {
			RealtimeAuthorizationPolicy policy = context.getBean(RealtimeAuthorizationPolicy.class);
			assertThat(policy.canPublish(null, "chat")).isFalse();
		});
	}

	@Test
	void webSocketEndpointFollowsTheBasePath() {
		this.contextRunner.withPropertyValues("realtime.base-path=/live/events").run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(webSocketHandlerMappedAt(context, "/live/events/ws"))
				.isSameAs(context.getBean(RealtimeWebSocketHandler.class));
		});
	}

	@Test
	void brokerBacksOffWhenUserDefinesOne() {
		this.contextRunner.withUserConfiguration(UserBrokerConfiguration.class).run((context) -> {
			assertThat(context).hasSingleBean(Broker.class);
			assertThat(context).getBean(Broker.class).isSameAs(context.getBean("userBroker"));
			assertThat(context.getBean(Broker.class)).isNotInstanceOf(InMemoryBroker.class);
		});
	}

	@Test
	void authorizationPolicyBacksOffWhenUserDefinesOne() {
		this.contextRunner.withUserConfiguration(UserPolicyConfiguration.class)
			.withPropertyValues("realtime.publish.allowed-topics=chat")
			.run((context) -> {
				assertThat(context).hasSingleBean(RealtimeAuthorizationPolicy.class);
				assertThat(context).getBean(RealtimeAuthorizationPolicy.class)
					.isSameAs(context.getBean("userPolicy"));
				// every transport is admitted through Admission: it must ask the user's policy
				Admission access = context.getBean(Admission.class);
				assertThat(access.publish("news", null)).isEqualTo("news");
				assertThatExceptionOfType(RealtimeException.class).isThrownBy(() -> access.publish("chat", null))
					.satisfies((ex) -> assertThat(ex.reason()).isEqualTo(RealtimeException.Reason.FORBIDDEN));
			});
	}

	@Test
	void presenceIsInMemoryAndOffByDefault() {
		this.contextRunner.run((context) -> {
			assertThat(context).getBean(Presence.class).isInstanceOf(InMemoryPresence.class);
			assertThat(context).hasSingleBean(PresenceEndpoint.class);
			assertThat(context.getBean(RealtimePresence.class).isOn("chat")).isFalse();
		});
	}

	@Test
	void presenceTopicsComeFromProperties() {
		this.contextRunner.withPropertyValues("realtime.presence.topics=chat,rooms/**").run((context) -> {
			RealtimePresence presence = context.getBean(RealtimePresence.class);
			assertThat(presence.isOn("chat")).isTrue();
			assertThat(presence.isOn("rooms/a/b")).isTrue();
			assertThat(presence.isOn("news")).isFalse();
		});
	}

	@Test
	void presenceBacksOffWhenUserDefinesOne() {
		this.contextRunner.withBean("userPresence", Presence.class, () -> new InMemoryPresence(1)).run((context) -> {
			assertThat(context).hasSingleBean(Presence.class);
			assertThat(context).getBean(Presence.class).isSameAs(context.getBean("userPresence"));
		});
	}

	@ParameterizedTest
	@ValueSource(strings = { "realtime.presence.max-members=0", "realtime.presence.poll-timeout=0s",
			"realtime.presence.heartbeat=10ms", "realtime.presence.max-info-size=128KB" })
	void badPresenceSettingsFailFast(String property) {
		this.contextRunner.withPropertyValues(property)
			.run((context) -> assertFailedOnInvalidProperty(context, property.substring(0, property.indexOf('='))));
	}

	@Test
	void publisherBacksOffWhenUserDefinesOne() {
		this.contextRunner.withUserConfiguration(UserPublisherConfiguration.class).run((context) -> {
			assertThat(context).hasSingleBean(RealtimePublisher.class);
			assertThat(context).getBean(RealtimePublisher.class).isSameAs(context.getBean("userPublisher"));
		});
	}

	@Test
	void webSocketHandlerBacksOffWhenUserDefinesOne() {
		this.contextRunner.withUserConfiguration(UserWebSocketHandlerConfiguration.class).run((context) -> {
			assertThat(context).hasSingleBean(RealtimeWebSocketHandler.class);
			RealtimeWebSocketHandler handler = context.getBean(RealtimeWebSocketHandler.class);
			assertThat(handler).isSameAs(context.getBean("userWebSocketHandler"));
			assertThat(webSocketHandlerMappedAt(context, "/realtime/ws")).isSameAs(handler);
		});
	}

	@Test
	void connectionRegistryBacksOffWhenUserDefinesOne() {
		this.contextRunner.withUserConfiguration(UserConnectionRegistryConfiguration.class).run((context) -> {
			assertThat(context).hasSingleBean(ConnectionRegistry.class);
			assertThat(context).getBean(ConnectionRegistry.class).isSameAs(context.getBean("userConnections"));
		});
	}

	@Test
	void clientLimitsComeFromProperties() {
		this.contextRunner
			.withPropertyValues("realtime.limits.publish.rate=0.5", "realtime.limits.publish.burst=1")
			.run((context) -> {
				ClientLimits.Client client = context.getBean(Admission.class).client(null, "192.0.2.1");
				client.publish();
				assertThatExceptionOfType(RealtimeException.class).isThrownBy(client::publish)
					.satisfies((ex) -> assertThat(ex.reason()).isEqualTo(RealtimeException.Reason.RATE_LIMITED))
					.satisfies((ex) -> assertThat(ex.retryAfter()).isBetween(Duration.ofMillis(1),
							Duration.ofSeconds(2)));
				// another client has its own share
				context.getBean(Admission.class).client(null, "192.0.2.2").publish();
			});
	}

	@Test
	void clientLimitsAreOffWhenDisabled() {
		this.contextRunner.withPropertyValues("realtime.limits.enabled=false")
			.run((context) -> assertThat(context).getBean(ClientLimits.class).isSameAs(ClientLimits.UNLIMITED));
	}

	@Test
	void clientLimitsBackOffWhenUserDefinesThem() {
		this.contextRunner.withUserConfiguration(UserClientLimitsConfiguration.class).run((context) -> {
			assertThat(context).hasSingleBean(ClientLimits.class);
			ClientLimits.Client client = context.getBean(Admission.class).client(null, "192.0.2.1");
			client.subscribe();
			assertThatExceptionOfType(RealtimeException.class).isThrownBy(client::subscribe);
		});
	}

	@Test
	void endpointBacksOffWhenUserDefinesOne() {
		this.contextRunner.withUserConfiguration(UserPollEndpointConfiguration.class).run((context) -> {
			assertThat(context).hasSingleBean(PollEndpoint.class);
			assertThat(context).getBean(PollEndpoint.class).isSameAs(context.getBean("userPollEndpoint"));
		});
	}

	@Test
	void pollEndpointIsAbsentWhenDisabled() {
		assertOnlyTransportAbsentWhenDisabled("realtime.poll.enabled");
	}

	@Test
	void longPollEndpointIsAbsentWhenDisabled() {
		assertOnlyTransportAbsentWhenDisabled("realtime.long-poll.enabled");
	}

	@Test
	void sseEndpointIsAbsentWhenDisabled() {
		assertOnlyTransportAbsentWhenDisabled("realtime.sse.enabled");
	}

	@Test
	void webSocketEndpointIsAbsentWhenDisabled() {
		assertOnlyTransportAbsentWhenDisabled("realtime.websocket.enabled");
		this.contextRunner.withPropertyValues("realtime.websocket.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean("realtimeWebSocketMapping"));
	}

	@Test
	void publishEndpointIsAbsentWhenDisabled() {
		assertOnlyTransportAbsentWhenDisabled("realtime.publish.enabled");
	}

	@Test
	void nonWebApplicationHasTheBrokerAndPublisherButNoEndpoints() {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(JacksonAutoConfiguration.class, RealtimeAutoConfiguration.class,
					RealtimeWebMvcAutoConfiguration.class))
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context).getBean(Broker.class).isInstanceOf(InMemoryBroker.class);
				assertThat(context).hasSingleBean(RealtimePublisher.class);
				assertThat(context).hasSingleBean(RealtimeAuthorizationPolicy.class);
				TRANSPORTS.values().forEach((type) -> assertThat(context).doesNotHaveBean(type));
				assertThat(context).doesNotHaveBean(ConnectionRegistry.class);
				assertThat(context).doesNotHaveBean(RealtimeProblemHandler.class);
				assertThat(context).doesNotHaveBean("realtimeWebSocketMapping");
				// server code can publish without any transport
				RealtimePublisher publisher = context.getBean(RealtimePublisher.class);
				assertThat(publisher.publish("jobs", Map.of("done", true)).data()).isEqualTo("{\"done\":true}");
			});
	}

	@Test
	void httpTransportsStartWithoutWebSocketClasses() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(WebSocketHandler.class)).run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context).hasSingleBean(PollEndpoint.class);
			assertThat(context).hasSingleBean(LongPollEndpoint.class);
			assertThat(context).hasSingleBean(SseEndpoint.class);
			assertThat(context).hasSingleBean(PublishEndpoint.class);
			assertThat(context).doesNotHaveBean(RealtimeWebSocketHandler.class);
			assertThat(context).doesNotHaveBean("realtimeWebSocketMapping");
		});
	}

	@Test
	void transportsAreAbsentWithoutSpringMvc() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(DispatcherServlet.class)).run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context).hasSingleBean(Broker.class);
			assertThat(context).hasSingleBean(RealtimePublisher.class);
			TRANSPORTS.values().forEach((type) -> assertThat(context).doesNotHaveBean(type));
		});
	}

	@Test
	void writerThreadsReachTheConnectionRegistry() {
		this.contextRunner.withPropertyValues("realtime.writer-threads=3").run((context) -> {
			ExecutorService writers = context.getBean(ConnectionRegistry.class).writers();
			assertThat(writers).isInstanceOfSatisfying(ThreadPoolExecutor.class,
					(pool) -> assertThat(pool.getMaximumPoolSize()).isEqualTo(3));
		});
		this.contextRunner.run((context) -> assertThat(context.getBean(ConnectionRegistry.class).writers())
			.isInstanceOfSatisfying(ThreadPoolExecutor.class, (pool) -> assertThat(pool.getMaximumPoolSize())
				.isEqualTo(ConnectionRegistry.defaultWriterThreads())));
	}

	@Test
	void topicAndHistoryLimitsReachTheBroker() {
		this.contextRunner.withPropertyValues("realtime.max-topics=2", "realtime.history.max-bytes=1KB")
			.run((context) -> {
				InMemoryBroker broker = context.getBean(InMemoryBroker.class);
				for (int i = 0; i < 10; i++) {
					broker.publish("a", "\"" + "x".repeat(200) + "\"");
				}
				assertThat(broker.historyBytes()).isLessThanOrEqualTo(1024);
				broker.subscribe("b", null, (message) -> {
				});
				assertThatExceptionOfType(TopicLimitException.class).isThrownBy(() -> broker.publish("c", "1"));
			});
	}

	@Test
	void maxTopicsOfZeroFailsFast() {
		this.contextRunner.withPropertyValues("realtime.max-topics=0")
			.run((context) -> assertFailedOnInvalidProperty(context, "realtime.max-topics"));
	}

	@Test
	void historyMaxBytesOfZeroFailsFast() {
		this.contextRunner.withPropertyValues("realtime.history.max-bytes=0B")
			.run((context) -> assertFailedOnInvalidProperty(context, "realtime.history.max-bytes"));
	}

	@Test
	void historySizeOfZeroFailsFast() {
		this.contextRunner.withPropertyValues("realtime.history.size=0")
			.run((context) -> assertFailedOnInvalidProperty(context, "realtime.history.size"));
	}

	@Test
	void negativeMaxRewindFailsFast() {
		this.contextRunner.withPropertyValues("realtime.history.max-rewind=-1")
			.run((context) -> assertFailedOnInvalidProperty(context, "realtime.history.max-rewind"));
	}

	@Test
	void historyTtlOfZeroFailsFast() {
		this.contextRunner.withPropertyValues("realtime.history.ttl=0s")
			.run((context) -> assertFailedOnInvalidProperty(context, "realtime.history.ttl"));
	}

	@Test
	void basePathWithoutLeadingSlashFailsFast() {
		this.contextRunner.withPropertyValues("realtime.base-path=realtime")
			.run((context) -> assertFailedOnInvalidProperty(context, "realtime.base-path"));
	}

	@Test
	void basePathWithTrailingSlashFailsFast() {
		this.contextRunner.withPropertyValues("realtime.base-path=/realtime/")
			.run((context) -> assertFailedOnInvalidProperty(context, "realtime.base-path"));
	}

	@Test
	void pollMaxBatchOfZeroFailsFast() {
		this.contextRunner.withPropertyValues("realtime.poll.max-batch=0")
			.run((context) -> assertFailedOnInvalidProperty(context, "realtime.poll.max-batch"));
	}

	@Test
	void maxMessageSizeOfZeroFailsFast() {
		this.contextRunner.withPropertyValues("realtime.max-message-size=0")
			.run((context) -> assertFailedOnInvalidProperty(context, "realtime.max-message-size"));
	}

	@Test
	void redisBrokerTypeWithoutTheRedisModuleFailsFast() {
		this.contextRunner.withPropertyValues("realtime.broker.type=redis")
			.run((context) -> assertFailedOnInvalidProperty(context, "realtime.broker.type"));
	}

	@ParameterizedTest
	@ValueSource(strings = { "realtime.max-connections=0", "realtime.writer-threads=0", "realtime.publish.bodies-in-flight=1KB", "realtime.max-topics-per-connection=0",
			"realtime.long-poll.timeout=0s", "realtime.sse.heartbeat=0s", "realtime.websocket.ping-interval=-1s",
			"realtime.send-time-limit=0s", "realtime.send-buffer-size=0B", "realtime.limits.connections-per-client=0",
			"realtime.limits.max-clients=0", "realtime.limits.publish.rate=0", "realtime.limits.subscribe.burst=0",
			"realtime.limits.websocket-frames.rate=-1" })
	void nonPositiveLimitsAndIntervalsFailFast(String property) {
		this.contextRunner.withPropertyValues(property)
			.run((context) -> assertFailedOnInvalidProperty(context, property.substring(0, property.indexOf('='))));
	}

	@Test
	void tomcatFastPathsServeOnTomcat() {
		this.contextRunner.run((context) -> assertThat(context).getBean(ContainerFastPaths.class)
			.isInstanceOfSatisfying(TomcatFastPaths.class, (fastPaths) -> {
				assertThat(fastPaths.isResolved(TomcatFastPaths.DETACHED_RESPONSES)).isTrue();
				assertThat(fastPaths.isResolved(TomcatFastPaths.PRE_ENCODED_FRAMES)).isTrue();
			}));
	}

	@Test
	void portablePathServesWhenFastPathsAreDisabled() {
		this.contextRunner.withPropertyValues("realtime.fast-paths.enabled=false")
			.run((context) -> assertThat(context).getBean(ContainerFastPaths.class).isSameAs(ContainerFastPaths.NONE));
	}

	@Test
	void portablePathServesWithoutTomcat() {
		this.contextRunner.withClassLoader(new FilteredClassLoader("org.apache.catalina"))
			.run((context) -> assertThat(context).getBean(ContainerFastPaths.class).isSameAs(ContainerFastPaths.NONE));
	}

	@Test
	void oldSendBufferAndTimeLimitNamesStillApply() {
		this.contextRunner
			.withPropertyValues("realtime.websocket.send-buffer-size=16KB", "realtime.websocket.send-time-limit=3s")
			.run((context) -> {
				RealtimeProperties properties = context.getBean(RealtimeProperties.class);
				assertThat(properties.getSendBufferSize()).isEqualTo(DataSize.ofKilobytes(16));
				assertThat(properties.getSendTimeLimit()).isEqualTo(Duration.ofSeconds(3));
			});
	}

	@Test
	void oldSendBufferAndTimeLimitNamesAreDeprecatedWithTheirReplacement() throws Exception {
		String metadata = new String(new ClassPathResource("META-INF/spring-configuration-metadata.json")
			.getInputStream()
			.readAllBytes(), StandardCharsets.UTF_8);
		JsonNode properties = JsonMapper.builder().build().readTree(metadata).get("properties");
		Map<String, String> replacements = new HashMap<>();
		properties.forEach((property) -> {
			JsonNode deprecation = property.get("deprecation");
			if (deprecation != null && deprecation.has("replacement")) {
				replacements.put(property.get("name").asString(), deprecation.get("replacement").asString());
			}
		});
		assertThat(replacements).containsEntry("realtime.websocket.send-buffer-size", "realtime.send-buffer-size")
			.containsEntry("realtime.websocket.send-time-limit", "realtime.send-time-limit");
	}

	private void assertOnlyTransportAbsentWhenDisabled(String property) {
		this.contextRunner.withPropertyValues(property + "=false").run((context) -> {
			assertThat(context).hasNotFailed();
			TRANSPORTS.forEach((switchName, type) -> {
				if (switchName.equals(property)) {
					assertThat(context).doesNotHaveBean(type);
				}
				else {
					assertThat(context).hasSingleBean(type);
				}
			});
			assertThat(context).hasSingleBean(Broker.class);
			assertThat(context).hasSingleBean(RealtimePublisher.class);
		});
	}

	private static void assertFailedOnInvalidProperty(AssertableWebApplicationContext context, String property) {
		assertThat(context).hasFailed();
		List<Throwable> chain = new ArrayList<>();
		for (Throwable ex = context.getStartupFailure(); ex != null; ex = ex.getCause()) {
			chain.add(ex);
		}
		assertThat(chain).filteredOn(InvalidConfigurationPropertyValueException.class::isInstance)
			.map((ex) -> ((InvalidConfigurationPropertyValueException) ex).getName())
			.containsExactly(property);
	}

	private static WebSocketHandler webSocketHandlerMappedAt(AssertableWebApplicationContext context, String path) {
		WebSocketHandlerMapping mapping = context.getBean("realtimeWebSocketMapping", WebSocketHandlerMapping.class);
		Object handler = mapping.getUrlMap().get(path);
		assertThat(handler).as("handler mapped at " + path).isInstanceOf(WebSocketHttpRequestHandler.class);
		return WebSocketHandlerDecorator.unwrap(((WebSocketHttpRequestHandler) handler).getWebSocketHandler());
	}

	@Configuration(proxyBeanMethods = false)
	static class UserBrokerConfiguration {

		@Bean
		Broker userBroker() {
			// a delegating broker: not the auto-configured InMemoryBroker type
			InMemoryBroker delegate = new InMemoryBroker();
			return new Broker() {

				@Override
				public Message publish(String topic, String data) {
					return delegate.publish(topic, data);
				}

				@Override
				public HistoryPage read(String topic, @Nullable String after, int limit) {
					return delegate.read(topic, after, limit);
				}

				@Override
				public Subscription subscribe(String topic, @Nullable String after,
						MessageListener listener) {
					return delegate.subscribe(topic, after, listener);
				}

				@Override
				public long subscriptionCount() {
					return delegate.subscriptionCount();
				}

			};
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class UserPolicyConfiguration {

		@Bean
		RealtimeAuthorizationPolicy userPolicy() {
			return new RealtimeAuthorizationPolicy() {

				@Override
				public boolean canSubscribe(@Nullable Principal principal, String topic) {
					return true;
				}

				@Override
				public boolean canPublish(@Nullable Principal principal, String topic) {
					return topic.equals("news");
				}

			};
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class UserPublisherConfiguration {

		@Bean
		RealtimePublisher userPublisher(Broker broker) {
			return new RealtimePublisher(broker, JsonMapper.builder().build(), new RealtimeMetrics());
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class UserWebSocketHandlerConfiguration {

		@Bean
		RealtimeWebSocketHandler userWebSocketHandler(Broker broker, RealtimePublisher publisher, Admission admission,
				ConnectionRegistry connections, RealtimeMetrics metrics) {
			return new RealtimeWebSocketHandler(broker, publisher, admission, connections, metrics,
					JsonMapper.builder().build(), new WireFormat(), ContainerFastPaths.NONE,
					new WebSocketSettings(Duration.ofSeconds(30), 64 * 1024, Duration.ofSeconds(5)));
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class UserClientLimitsConfiguration {

		@Bean
		ClientLimits userClientLimits() {
			ClientLimits.Rate one = new ClientLimits.Rate(0.1, 1);
			return new ClientLimits(1, one, one, one, 10);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class UserConnectionRegistryConfiguration {

		@Bean(destroyMethod = "destroy")
		ConnectionRegistry userConnections() {
			return new ConnectionRegistry(10);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class UserPollEndpointConfiguration {

		@Bean
		PollEndpoint userPollEndpoint(Broker broker, Admission admission) {
			return new PollEndpoint(broker, admission, new WireFormat(), 5);
		}

	}

}
