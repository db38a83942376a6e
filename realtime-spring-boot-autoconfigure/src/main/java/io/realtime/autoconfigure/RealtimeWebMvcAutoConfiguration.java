package io.realtime.autoconfigure;

import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;

import io.realtime.core.Broker;
import io.realtime.core.Presence;
import io.realtime.webmvc.Admission;
import io.realtime.webmvc.AllowedOrigins;
import io.realtime.webmvc.ConnectionRegistry;
import io.realtime.webmvc.RealtimeAuthorizationPolicy;
import io.realtime.webmvc.RealtimeMetrics;
import io.realtime.webmvc.RealtimePresence;
import io.realtime.webmvc.RealtimePublisher;
import io.realtime.webmvc.WireFormat;
import io.realtime.webmvc.container.ContainerFastPaths;
import io.realtime.webmvc.http.ClientScriptEndpoint;
import io.realtime.webmvc.http.LongPollEndpoint;
import io.realtime.webmvc.http.LongPollSettings;
import io.realtime.webmvc.http.PollEndpoint;
import io.realtime.webmvc.http.PresenceEndpoint;
import io.realtime.webmvc.http.PublishEndpoint;
import io.realtime.webmvc.http.RealtimeErrorResolver;
import io.realtime.webmvc.http.RealtimeProblemHandler;
import io.realtime.webmvc.http.SseEndpoint;
import io.realtime.webmvc.http.SseSettings;
import io.realtime.webmvc.tomcat.TomcatFastPaths;
import io.realtime.webmvc.upload.UploadEndpoint;
import io.realtime.webmvc.upload.UploadExpiry;
import io.realtime.webmvc.upload.UploadSettings;
import io.realtime.webmvc.upload.UploadStore;
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
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.Assert;
import org.springframework.util.unit.DataSize;
import org.springframework.web.filter.CorsFilter;
import org.springframework.web.servlet.DispatcherServlet;
import org.springframework.web.servlet.HandlerMapping;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.server.support.DefaultHandshakeHandler;
import org.springframework.web.socket.server.support.WebSocketHandlerMapping;
import org.springframework.web.socket.server.support.WebSocketHttpRequestHandler;

/**
 * {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration Auto-configuration} of
 * the realtime transports in a Spring MVC application: poll, long poll, SSE, publish and
 * WebSocket, each one switchable with {@code realtime.<transport>.enabled}, and the browser
 * client at {@code {base}/client.js} ({@code realtime.client.enabled}), and resumable uploads at
 * {@code {base}/uploads} when {@code realtime.upload.enabled}.
 *
 * @since 0.1.0
 */
@AutoConfiguration(after = RealtimeAutoConfiguration.class)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass({ DispatcherServlet.class, PollEndpoint.class })
public final class RealtimeWebMvcAutoConfiguration {

	private static final Log logger = LogFactory.getLog(RealtimeWebMvcAutoConfiguration.class);

	/** Before Spring Security's filter chain, at -100 ({@code SecurityFilterProperties.DEFAULT_FILTER_ORDER}). */
	private static final int CORS_FILTER_ORDER = -101;

	RealtimeWebMvcAutoConfiguration(RealtimeProperties properties) {
		logger.info("Realtime endpoints mapped under '" + properties.getBasePath() + "'");
	}

	@Bean(destroyMethod = "destroy")
	@ConditionalOnMissingBean
	ConnectionRegistry realtimeConnectionRegistry(RealtimeProperties properties) {
		Integer configured = properties.getMaxConnections();
		int limit = (configured != null) ? configured : ConnectionRegistry.fittingHeap(Runtime.getRuntime().maxMemory());
		logger.info("Realtime connections limited to " + limit
				+ ((configured != null) ? "" : " for this heap (realtime.max-connections sets it)"));
		Integer writers = properties.getWriterThreads();
		return new ConnectionRegistry(limit, (writers != null) ? writers : ConnectionRegistry.defaultWriterThreads());
	}

	@Bean
	@ConditionalOnMissingBean
	WireFormat realtimeWireFormat() {
		return new WireFormat();
	}

	@Bean(destroyMethod = "destroy")
	@ConditionalOnMissingBean
	RealtimePresence realtimeTransportPresence(Presence presence, WireFormat wire,
			ObjectProvider<JsonMapper> jsonMapper, RealtimeProperties properties) {
		RealtimeProperties.Presence settings = properties.getPresence();
		return new RealtimePresence(presence, settings.getTopics(), (int) settings.getMaxInfoSize().toBytes(),
				settings.getPollTimeout(), wire, jsonMapper.getIfAvailable(() -> JsonMapper.builder().build()));
	}

	@Bean
	@ConditionalOnMissingBean
	PresenceEndpoint realtimePresenceEndpoint(Admission admission, RealtimePresence presence, WireFormat wire) {
		return new PresenceEndpoint(admission, presence, wire);
	}

	@Bean
	@ConditionalOnMissingBean
	AllowedOrigins realtimeAllowedOrigins(RealtimeProperties properties) {
		return new AllowedOrigins(properties.getAllowedOrigins());
	}

	/** Spring's portable types serve every transport unless a container's fast path resolved. */
	@Bean
	@ConditionalOnMissingBean
	ContainerFastPaths realtimeFastPaths() {
		logger.info("Realtime transports use Spring's portable path (SseEmitter, DeferredResult, standard WebSocket sends)");
		return ContainerFastPaths.NONE;
	}

	@Bean
	@ConditionalOnMissingBean
	RealtimeProblemHandler realtimeProblemHandler(RealtimeMetrics metrics) {
		return new RealtimeProblemHandler(metrics);
	}

	@Bean
	@ConditionalOnMissingBean
	RealtimeErrorResolver realtimeErrorResolver(RealtimeProperties properties) {
		return new RealtimeErrorResolver(properties.getBasePath());
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBooleanProperty(name = "realtime.publish.enabled", matchIfMissing = true)
	PublishEndpoint realtimePublishEndpoint(RealtimePublisher publisher, Admission admission, WireFormat wire,
			AllowedOrigins origins, RealtimeProperties properties) {
		DataSize inFlight = properties.getPublish().getBodiesInFlight();
		return new PublishEndpoint(publisher, admission, wire, origins, properties.getPublish().getBodyTimeout(),
				(inFlight != null) ? inFlight.toBytes() : PublishEndpoint.defaultMaxBodyBytesInFlight());
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBooleanProperty(name = "realtime.poll.enabled", matchIfMissing = true)
	PollEndpoint realtimePollEndpoint(Broker broker, Admission admission, WireFormat wire,
			RealtimePresence presence, RealtimeProperties properties) {
		return new PollEndpoint(broker, admission, wire, properties.getPoll().getMaxBatch(), presence);
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBooleanProperty(name = "realtime.long-poll.enabled", matchIfMissing = true)
	LongPollEndpoint realtimeLongPollEndpoint(Broker broker, Admission admission, ConnectionRegistry connections,
			WireFormat wire, ContainerFastPaths fastPaths, RealtimePresence presence, RealtimeProperties properties) {
		RealtimeProperties.LongPoll longPoll = properties.getLongPoll();
		return new LongPollEndpoint(broker, admission, connections, wire, fastPaths,
				new LongPollSettings(properties.getPoll().getMaxBatch(), longPoll.getTimeout(), longPoll.isDetach(),
						properties.getSendTimeLimit()),
				presence);
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBooleanProperty(name = "realtime.sse.enabled", matchIfMissing = true)
	SseEndpoint realtimeSseEndpoint(Broker broker, Admission admission, ConnectionRegistry connections,
			RealtimeMetrics metrics, WireFormat wire, ContainerFastPaths fastPaths, RealtimePresence presence,
			RealtimeProperties properties) {
		RealtimeProperties.Sse sse = properties.getSse();
		return new SseEndpoint(broker, admission, connections, metrics, wire, fastPaths,
				new SseSettings(sse.getHeartbeat(), sse.getRetry(), properties.getSendBufferSize().toBytes(),
						properties.getSendTimeLimit(), sse.isDetach()),
				presence);
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBooleanProperty(name = "realtime.client.enabled", matchIfMissing = true)
	ClientScriptEndpoint realtimeClientScriptEndpoint() {
		return new ClientScriptEndpoint();
	}

	/**
	 * CORS of the endpoints when other origins are allowed. A servlet filter ordered before Spring
	 * Security's (-100), as Spring Security advises: a preflight carries no credentials.
	 */
	@Bean
	@ConditionalOnMissingBean(name = "realtimeCorsFilter")
	@Conditional(OnAllowedOriginsCondition.class)
	FilterRegistrationBean<CorsFilter> realtimeCorsFilter(AllowedOrigins origins, RealtimeProperties properties) {
		CorsFilter filter = origins.corsFilter();
		Assert.state(filter != null, "realtime.allowed-origins names no origin");
		FilterRegistrationBean<CorsFilter> registration = new FilterRegistrationBean<>(filter);
		registration.addUrlPatterns(properties.getBasePath() + "/*");
		registration.setOrder(CORS_FILTER_ORDER);
		return registration;
	}

	/** Tomcat's fast paths, each checked at start-up (a hook that does not resolve is logged at WARN). */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(name = "org.apache.catalina.startup.Tomcat")
	@ConditionalOnBooleanProperty(name = "realtime.fast-paths.enabled", matchIfMissing = true)
	static class TomcatFastPathsConfiguration {

		@Bean
		@ConditionalOnMissingBean
		ContainerFastPaths realtimeFastPaths() {
			return TomcatFastPaths.resolve();
		}

	}

	/** Resumable uploads (tus 1.0), off unless enabled: they write clients' files to disk. */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnBooleanProperty(name = "realtime.upload.enabled")
	static class UploadConfiguration {

		@Bean
		@ConditionalOnMissingBean
		UploadStore realtimeUploadStore(RealtimeProperties properties) {
			RealtimeProperties.Upload upload = properties.getUpload();
			Path directory = (upload.getDirectory() != null) ? upload.getDirectory()
					: Path.of(System.getProperty("java.io.tmpdir"), "realtime-uploads");
			logger.info("Realtime uploads stored in " + directory.toAbsolutePath());
			return new UploadStore(new UploadSettings(directory, upload.getMaxSize().toBytes(), upload.getExpiry(),
					upload.getMaxUnfinishedPerClient(), upload.getDiskBudget().toBytes(), upload.getBodyIdleTimeout(),
					upload.getMaxUploads()),
					Clock.systemUTC());
		}

		@Bean(destroyMethod = "close")
		@ConditionalOnMissingBean
		UploadExpiry realtimeUploadExpiry(UploadStore store, RealtimeProperties properties) {
			return new UploadExpiry(store, properties.getUpload().getCleanupInterval());
		}

		@Bean(destroyMethod = "close")
		@ConditionalOnMissingBean
		UploadEndpoint realtimeUploadEndpoint(UploadStore store, RealtimeAuthorizationPolicy policy,
				RealtimePublisher publisher, ApplicationEventPublisher events, AllowedOrigins origins) {
			return new UploadEndpoint(store, policy, publisher, events, origins);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass({ WebSocketHandler.class, WebSocketHandlerMapping.class })
	@ConditionalOnBooleanProperty(name = "realtime.websocket.enabled", matchIfMissing = true)
	static class WebSocketConfiguration {

		@Bean
		@ConditionalOnMissingBean
		RealtimeWebSocketHandler realtimeWebSocketHandler(Broker broker, RealtimePublisher publisher,
				Admission admission, ConnectionRegistry connections, RealtimeMetrics metrics,
				ObjectProvider<JsonMapper> jsonMapper, WireFormat wire, ContainerFastPaths fastPaths,
				RealtimePresence presence, RealtimeProperties properties) {
			WebSocketSettings settings = new WebSocketSettings(properties.getWebsocket().getPingInterval(),
					properties.getSendBufferSize().toBytes(), properties.getSendTimeLimit());
			return new RealtimeWebSocketHandler(broker, publisher, admission, connections, metrics,
					jsonMapper.getIfAvailable(() -> JsonMapper.builder().build()), wire, fastPaths, settings, presence);
		}

		@Bean
		HandlerMapping realtimeWebSocketMapping(RealtimeWebSocketHandler handler, AllowedOrigins origins,
				RealtimeProperties properties) {
			WebSocketHttpRequestHandler httpHandler = new WebSocketHttpRequestHandler(handler,
					new DefaultHandshakeHandler());
			httpHandler.setHandshakeInterceptors(
					List.of(origins.handshakeInterceptor(), RealtimeWebSocketHandler.clientAddress()));
			WebSocketHandlerMapping mapping = new WebSocketHandlerMapping();
			mapping.setWebSocketUpgradeMatch(true);
			mapping.setUrlMap(Map.of(properties.getBasePath() + "/ws", httpHandler));
			mapping.setOrder(-2);
			return mapping;
		}

	}

}
