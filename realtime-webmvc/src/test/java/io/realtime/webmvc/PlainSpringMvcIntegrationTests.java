package io.realtime.webmvc;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;

import io.realtime.core.Broker;
import io.realtime.core.InMemoryBroker;
import io.realtime.webmvc.container.ContainerFastPaths;
import io.realtime.webmvc.http.LongPollEndpoint;
import io.realtime.webmvc.http.LongPollSettings;
import io.realtime.webmvc.http.PollEndpoint;
import io.realtime.webmvc.http.PublishEndpoint;
import io.realtime.webmvc.http.RealtimeProblemHandler;
import io.realtime.webmvc.http.SseEndpoint;
import io.realtime.webmvc.http.SseSettings;
import io.realtime.webmvc.tomcat.TomcatFastPaths;
import io.realtime.webmvc.websocket.RealtimeWebSocketHandler;
import io.realtime.webmvc.websocket.WebSocketSettings;
import org.apache.catalina.Context;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.websocket.server.WsSci;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.web.context.support.AnnotationConfigWebApplicationContext;
import org.springframework.web.servlet.DispatcherServlet;
import org.springframework.web.servlet.config.annotation.EnableWebMvc;
import org.springframework.web.socket.config.annotation.EnableWebSocket;
import org.springframework.web.socket.config.annotation.WebSocketConfigurer;
import org.springframework.web.socket.config.annotation.WebSocketHandlerRegistry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The transports in a plain Spring MVC application, without Spring Boot: beans declared in a
 * {@code @Configuration} class, a {@link DispatcherServlet} on an embedded Tomcat, real HTTP,
 * SSE and WebSocket clients. Run with Tomcat's fast paths and with the portable path.
 */
class PlainSpringMvcIntegrationTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	private final HttpClient http = HttpClient.newHttpClient();

	private Tomcat tomcat;

	private AnnotationConfigWebApplicationContext context;

	private String base;

	void start(boolean fastPaths) throws Exception {
		this.context = new AnnotationConfigWebApplicationContext();
		this.context.register(RealtimeConfiguration.class, WebSocketRoutes.class);
		this.context.getEnvironment().getSystemProperties().put("fast-paths", String.valueOf(fastPaths));
		this.tomcat = new Tomcat();
		this.tomcat.setBaseDir(Files.createTempDirectory("tomcat").toString());
		this.tomcat.setPort(0);
		Context servletContext = this.tomcat.addContext("", null);
		servletContext.addServletContainerInitializer(new WsSci(), null);
		DispatcherServlet dispatcher = new DispatcherServlet(this.context);
		Tomcat.addServlet(servletContext, "dispatcher", dispatcher).setAsyncSupported(true);
		servletContext.addServletMappingDecoded("/", "dispatcher");
		this.tomcat.getConnector();
		this.tomcat.start();
		this.base = "http://localhost:" + this.tomcat.getConnector().getLocalPort() + "/realtime";
	}

	@AfterEach
	void stop() throws Exception {
		this.context.close();
		this.tomcat.stop();
		this.tomcat.destroy();
	}

	@ParameterizedTest(name = "fast paths {0}")
	@ValueSource(booleans = { true, false })
	void everyTransportServesWithoutSpringBoot(boolean fastPaths) throws Exception {
		start(fastPaths);
		List<String> frames = new CopyOnWriteArrayList<>();
		WebSocket ws = this.http.newWebSocketBuilder()
			.buildAsync(URI.create(this.base.replace("http", "ws") + "/ws"), new WebSocket.Listener() {
				@Override
				public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
					frames.add(data.toString());
					socket.request(1);
					return null;
				}
			})
			.get();
		ws.sendText("{\"type\":\"subscribe\",\"topic\":\"chat\"}", true).get();
		await().atMost(WAIT).until(() -> frames.stream().anyMatch((frame) -> frame.contains("\"subscribed\"")));

		HttpResponse<InputStream> sse = this.http.send(HttpRequest.newBuilder(URI.create(this.base + "/sse?topic=chat"))
			.build(), HttpResponse.BodyHandlers.ofInputStream());
		assertThat(sse.headers().firstValue("Content-Type")).hasValueSatisfying(
				(type) -> assertThat(type).startsWith("text/event-stream"));
		BufferedReader events = new BufferedReader(new InputStreamReader(sse.body(), StandardCharsets.UTF_8));
		assertThat(readUntil(events, "event:ready")).isTrue();
		String cursor = poll("/poll?topic=chat").replaceAll(".*\"cursor\":\"([^\"]+)\".*", "$1");
		CompletableFuture<HttpResponse<String>> longPoll = this.http.sendAsync(
				HttpRequest.newBuilder(URI.create(this.base + "/long-poll?topic=chat&cursor=" + cursor)).build(),
				HttpResponse.BodyHandlers.ofString());

		HttpResponse<String> published = this.http.send(HttpRequest.newBuilder(URI.create(this.base + "/publish?topic=chat"))
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString("{\"text\":\"hello\"}"))
			.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(published.statusCode()).isEqualTo(202);

		assertThat(longPoll.get().body()).contains("\"text\":\"hello\"");
		assertThat(readUntil(events, "\"text\":\"hello\"")).isTrue();
		await().atMost(WAIT).until(() -> frames.stream().anyMatch((frame) -> frame.contains("\"text\":\"hello\"")));
		assertThat(poll("/poll?topic=chat&cursor=" + cursor)).contains("\"text\":\"hello\"");
		assertThat(poll("/poll?topic=%20")).contains("\"status\":400");
		ws.abort();
		sse.body().close();
	}

	private String poll(String pathAndQuery) throws Exception {
		return this.http.send(HttpRequest.newBuilder(URI.create(this.base + pathAndQuery)).build(),
				HttpResponse.BodyHandlers.ofString()).body();
	}

	private static boolean readUntil(BufferedReader reader, String text) throws Exception {
		for (String line = reader.readLine(); line != null; line = reader.readLine()) {
			if (line.contains(text)) {
				return true;
			}
		}
		return false;
	}

	/** What an application without Spring Boot declares. */
	@Configuration(proxyBeanMethods = false)
	@EnableWebMvc
	@EnableWebSocket
	static class RealtimeConfiguration {

		private final Environment environment;

		RealtimeConfiguration(Environment environment) {
			this.environment = environment;
		}

		@Bean
		Broker broker() {
			return new InMemoryBroker(1000, Duration.ofMinutes(5), Clock.systemUTC());
		}

		@Bean
		RealtimeMetrics metrics() {
			return new RealtimeMetrics();
		}

		@Bean
		RealtimePublisher publisher(Broker broker, RealtimeMetrics metrics) {
			return new RealtimePublisher(broker, JsonMapper.builder().build(), metrics);
		}

		@Bean
		Admission admission() {
			return new Admission(new TopicPatternAuthorizationPolicy(List.of("chat")), 100, 64 * 1024,
					ClientLimits.UNLIMITED);
		}

		@Bean(destroyMethod = "destroy")
		ConnectionRegistry connections() {
			return new ConnectionRegistry(1000);
		}

		@Bean
		WireFormat wire() {
			return new WireFormat();
		}

		@Bean
		ContainerFastPaths fastPaths() {
			return Boolean.parseBoolean(this.environment.getProperty("fast-paths")) ? TomcatFastPaths.resolve()
					: ContainerFastPaths.NONE;
		}

		@Bean
		PollEndpoint pollEndpoint(Broker broker, Admission admission, WireFormat wire) {
			return new PollEndpoint(broker, admission, wire, 100);
		}

		@Bean
		LongPollEndpoint longPollEndpoint(Broker broker, Admission admission, ConnectionRegistry connections,
				WireFormat wire, ContainerFastPaths fastPaths) {
			return new LongPollEndpoint(broker, admission, connections, wire, fastPaths,
					new LongPollSettings(100, Duration.ofSeconds(10), true, Duration.ofSeconds(5)));
		}

		@Bean
		SseEndpoint sseEndpoint(Broker broker, Admission admission, ConnectionRegistry connections,
				RealtimeMetrics metrics, WireFormat wire, ContainerFastPaths fastPaths) {
			return new SseEndpoint(broker, admission, connections, metrics, wire, fastPaths, new SseSettings(
					Duration.ofSeconds(15), Duration.ofSeconds(3), 512 * 1024, Duration.ofSeconds(5), true));
		}

		@Bean
		PublishEndpoint publishEndpoint(RealtimePublisher publisher, Admission admission, WireFormat wire,
				AllowedOrigins origins) {
			return new PublishEndpoint(publisher, admission, wire, origins, Duration.ofSeconds(10),
					PublishEndpoint.defaultMaxBodyBytesInFlight());
		}

		@Bean
		RealtimeProblemHandler problemHandler(RealtimeMetrics metrics) {
			return new RealtimeProblemHandler(metrics);
		}

		@Bean
		RealtimeWebSocketHandler webSocketHandler(Broker broker, RealtimePublisher publisher, Admission admission,
				ConnectionRegistry connections, RealtimeMetrics metrics, WireFormat wire,
				ContainerFastPaths fastPaths) {
			return new RealtimeWebSocketHandler(broker, publisher, admission, connections, metrics,
					JsonMapper.builder().build(), wire, fastPaths,
					new WebSocketSettings(Duration.ofSeconds(25), 512 * 1024, Duration.ofSeconds(5)));
		}

		@Bean
		AllowedOrigins allowedOrigins() {
			return new AllowedOrigins(List.of());
		}

	}

	/** {@code {base}/ws}, with the origin check. */
	@Configuration(proxyBeanMethods = false)
	static class WebSocketRoutes implements WebSocketConfigurer {

		private final RealtimeWebSocketHandler handler;

		private final AllowedOrigins origins;

		WebSocketRoutes(RealtimeWebSocketHandler handler, AllowedOrigins origins) {
			this.handler = handler;
			this.origins = origins;
		}

		@Override
		public void registerWebSocketHandlers(WebSocketHandlerRegistry registry) {
			registry.addHandler(this.handler, "/realtime/ws")
				.addInterceptors(this.origins.handshakeInterceptor(), RealtimeWebSocketHandler.clientAddress());
		}

	}

}
