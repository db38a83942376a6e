package io.realtime.autoconfigure;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.realtime.core.Broker;
import io.realtime.webmvc.ConnectionRegistry;
import io.realtime.webmvc.RealtimeMetrics;
import io.realtime.webmvc.RealtimePublisher;
import io.realtime.webmvc.TopicAccess;
import io.realtime.webmvc.http.ClientScriptEndpoint;
import io.realtime.webmvc.http.LongPollEndpoint;
import io.realtime.webmvc.http.LongPollSettings;
import io.realtime.webmvc.http.PollEndpoint;
import io.realtime.webmvc.http.PublishEndpoint;
import io.realtime.webmvc.http.RealtimeProblemHandler;
import io.realtime.webmvc.http.SseEndpoint;
import io.realtime.webmvc.http.SseSettings;
import io.realtime.webmvc.websocket.RealtimeWebSocketHandler;
import io.realtime.webmvc.websocket.WebSocketSettings;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.DispatcherServlet;
import org.springframework.web.servlet.HandlerMapping;
import org.springframework.web.servlet.config.annotation.CorsRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.server.support.DefaultHandshakeHandler;
import org.springframework.web.socket.server.support.OriginHandshakeInterceptor;
import org.springframework.web.socket.server.support.WebSocketHandlerMapping;
import org.springframework.web.socket.server.support.WebSocketHttpRequestHandler;

/**
 * {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration Auto-configuration} of
 * the realtime transports in a Spring MVC application: poll, long poll, SSE, publish and
 * WebSocket, each one switchable with {@code realtime.<transport>.enabled}, and the browser
 * client at {@code {base}/client.js} ({@code realtime.client.enabled}).
 *
 * @since 0.1.0
 */
@AutoConfiguration(after = RealtimeAutoConfiguration.class)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass({ DispatcherServlet.class, PollEndpoint.class })
public final class RealtimeWebMvcAutoConfiguration {

	private static final Log logger = LogFactory.getLog(RealtimeWebMvcAutoConfiguration.class);

	RealtimeWebMvcAutoConfiguration(RealtimeProperties properties) {
		String basePath = properties.getBasePath();
		if (!basePath.startsWith("/") || basePath.endsWith("/")) {
			throw new InvalidConfigurationPropertyValueException("realtime.base-path", basePath,
					"must start with '/' and not end with '/'");
		}
		if (properties.getMaxMessageSize().toBytes() < 1 || properties.getMaxMessageSize().toBytes() > 16 << 20) {
			throw new InvalidConfigurationPropertyValueException("realtime.max-message-size",
					properties.getMaxMessageSize(), "must be between 1B and 16MB");
		}
		requirePositive("realtime.max-connections", properties.getMaxConnections());
		requirePositive("realtime.max-topics-per-connection", properties.getMaxTopicsPerConnection());
		requirePositive("realtime.long-poll.timeout", properties.getLongPoll().getTimeout());
		requirePositive("realtime.sse.heartbeat", properties.getSse().getHeartbeat());
		requirePositive("realtime.websocket.ping-interval", properties.getWebsocket().getPingInterval());
		requirePositive("realtime.websocket.send-time-limit", properties.getWebsocket().getSendTimeLimit());
		logger.info("Realtime endpoints mapped under '" + basePath + "'");
	}

	@Bean(destroyMethod = "destroy")
	@ConditionalOnMissingBean
	ConnectionRegistry realtimeConnectionRegistry(RealtimeProperties properties) {
		return new ConnectionRegistry(properties.getMaxConnections());
	}

	@Bean
	@ConditionalOnMissingBean
	RealtimeProblemHandler realtimeProblemHandler(RealtimeMetrics metrics) {
		return new RealtimeProblemHandler(metrics);
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBooleanProperty(name = "realtime.publish.enabled", matchIfMissing = true)
	PublishEndpoint realtimePublishEndpoint(RealtimePublisher publisher, TopicAccess access,
			RealtimeProperties properties) {
		return new PublishEndpoint(publisher, access, (int) properties.getMaxMessageSize().toBytes());
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBooleanProperty(name = "realtime.poll.enabled", matchIfMissing = true)
	PollEndpoint realtimePollEndpoint(Broker broker, TopicAccess access, RealtimeProperties properties) {
		return new PollEndpoint(broker, access, maxBatch(properties));
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBooleanProperty(name = "realtime.long-poll.enabled", matchIfMissing = true)
	LongPollEndpoint realtimeLongPollEndpoint(Broker broker, TopicAccess access, ConnectionRegistry connections,
			RealtimeProperties properties) {
		RealtimeProperties.LongPoll longPoll = properties.getLongPoll();
		return new LongPollEndpoint(broker, access, connections, new LongPollSettings(maxBatch(properties),
				longPoll.getTimeout(), longPoll.isDetach(), properties.getWebsocket().getSendTimeLimit()));
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBooleanProperty(name = "realtime.sse.enabled", matchIfMissing = true)
	SseEndpoint realtimeSseEndpoint(Broker broker, TopicAccess access, ConnectionRegistry connections,
			RealtimeMetrics metrics, RealtimeProperties properties) {
		RealtimeProperties.Sse sse = properties.getSse();
		return new SseEndpoint(broker, access, connections, metrics, new SseSettings(sse.getHeartbeat(),
				sse.getRetry(), properties.getWebsocket().getSendBufferSize().toBytes(),
				properties.getWebsocket().getSendTimeLimit(), sse.isDetach()));
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBooleanProperty(name = "realtime.client.enabled", matchIfMissing = true)
	ClientScriptEndpoint realtimeClientScriptEndpoint() {
		return new ClientScriptEndpoint();
	}

	@Bean
	WebMvcConfigurer realtimeCorsConfigurer(RealtimeProperties properties) {
		return new WebMvcConfigurer() {
			@Override
			public void addCorsMappings(CorsRegistry registry) {
				List<String> origins = properties.getAllowedOrigins();
				if (!origins.isEmpty()) {
					registry.addMapping(properties.getBasePath() + "/**")
						.allowedOriginPatterns(origins.toArray(String[]::new))
						.allowedMethods("GET", "POST")
						.allowedHeaders("*");
				}
			}
		};
	}

	private static void requirePositive(String name, int value) {
		if (value < 1) {
			throw new InvalidConfigurationPropertyValueException(name, value, "must be at least 1");
		}
	}

	private static void requirePositive(String name, Duration value) {
		// zero would mean "never" to the servlet container and the schedulers
		if (value.isNegative() || value.isZero()) {
			throw new InvalidConfigurationPropertyValueException(name, value, "must be positive");
		}
	}

	private static int maxBatch(RealtimeProperties properties) {
		int maxBatch = properties.getPoll().getMaxBatch();
		if (maxBatch < 1) {
			throw new InvalidConfigurationPropertyValueException("realtime.poll.max-batch", maxBatch,
					"must be at least 1");
		}
		return maxBatch;
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass({ WebSocketHandler.class, WebSocketHandlerMapping.class })
	@ConditionalOnBooleanProperty(name = "realtime.websocket.enabled", matchIfMissing = true)
	static class WebSocketConfiguration {

		@Bean
		@ConditionalOnMissingBean
		RealtimeWebSocketHandler realtimeWebSocketHandler(Broker broker, RealtimePublisher publisher,
				TopicAccess access, ConnectionRegistry connections, RealtimeMetrics metrics,
				ObjectProvider<JsonMapper> jsonMapper, RealtimeProperties properties) {
			RealtimeProperties.Websocket websocket = properties.getWebsocket();
			WebSocketSettings settings = new WebSocketSettings((int) properties.getMaxMessageSize().toBytes(),
					websocket.getPingInterval(), websocket.getSendBufferSize().toBytes(),
					websocket.getSendTimeLimit());
			return new RealtimeWebSocketHandler(broker, publisher, access, connections, metrics,
					jsonMapper.getIfAvailable(() -> JsonMapper.builder().build()), settings);
		}

		@Bean
		HandlerMapping realtimeWebSocketMapping(RealtimeWebSocketHandler handler, RealtimeProperties properties) {
			WebSocketHttpRequestHandler httpHandler = new WebSocketHttpRequestHandler(handler,
					new DefaultHandshakeHandler());
			// no allowed origins configured means same origin only
			OriginHandshakeInterceptor origins = new OriginHandshakeInterceptor();
			origins.setAllowedOriginPatterns(properties.getAllowedOrigins());
			httpHandler.setHandshakeInterceptors(List.of(origins));
			WebSocketHandlerMapping mapping = new WebSocketHandlerMapping();
			mapping.setWebSocketUpgradeMatch(true);
			mapping.setUrlMap(Map.of(properties.getBasePath() + "/ws", httpHandler));
			mapping.setOrder(-2);
			return mapping;
		}

	}

}
