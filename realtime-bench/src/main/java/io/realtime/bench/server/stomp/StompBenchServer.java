package io.realtime.bench.server.stomp;

import java.util.concurrent.atomic.AtomicLong;

import io.realtime.bench.server.BenchControl;
import io.realtime.bench.server.BenchTarget;
import io.realtime.bench.server.TomcatTuning;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessageChannel;
import org.springframework.messaging.MessageHandler;
import org.springframework.messaging.simp.SimpMessageType;
import org.springframework.messaging.simp.SimpMessageHeaderAccessor;
import org.springframework.messaging.simp.SimpMessagingTemplate;
import org.springframework.messaging.simp.broker.SimpleBrokerMessageHandler;
import org.springframework.messaging.simp.config.ChannelRegistration;
import org.springframework.messaging.simp.config.MessageBrokerRegistry;
import org.springframework.messaging.support.ExecutorChannelInterceptor;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;
import org.springframework.web.socket.config.annotation.EnableWebSocketMessageBroker;
import org.springframework.web.socket.config.annotation.StompEndpointRegistry;
import org.springframework.web.socket.config.annotation.WebSocketMessageBrokerConfigurer;

/**
 * The peer most Spring users reach for: STOMP over WebSocket with Spring's simple broker, set up
 * as the reference guide shows, plus broker heartbeats so idle connections are kept alive too.
 *
 * @since 0.1.0
 */
@SpringBootApplication(excludeName = { "io.realtime.autoconfigure.RealtimeAutoConfiguration",
		"io.realtime.autoconfigure.RealtimeWebMvcAutoConfiguration" })
@EnableWebSocketMessageBroker
@Import({ BenchControl.class, TomcatTuning.class })
public class StompBenchServer implements WebSocketMessageBrokerConfigurer {

	/** SUBSCRIBE frames the simple broker has registered: STOMP confirms none without a receipt. */
	private final AtomicLong subscribed = new AtomicLong();

	@Override
	public void registerStompEndpoints(StompEndpointRegistry registry) {
		registry.addEndpoint("/stomp").setAllowedOriginPatterns("*");
	}

	@Override
	public void configureMessageBroker(MessageBrokerRegistry registry) {
		ThreadPoolTaskScheduler heartbeats = new ThreadPoolTaskScheduler();
		heartbeats.setPoolSize(1);
		heartbeats.setThreadNamePrefix("stomp-heartbeat-");
		heartbeats.initialize();
		registry.enableSimpleBroker("/topic")
			.setHeartbeatValue(new long[] { Long.getLong("bench.heartbeat", 5000), 0 })
			.setTaskScheduler(heartbeats);
	}

	@Override
	public void configureClientInboundChannel(ChannelRegistration registration) {
		registration.interceptors(new ExecutorChannelInterceptor() {
			@Override
			public void afterMessageHandled(Message<?> message, MessageChannel channel, MessageHandler handler,
					Exception ex) {
				if (handler instanceof SimpleBrokerMessageHandler
						&& SimpMessageHeaderAccessor.getMessageType(message.getHeaders()) == SimpMessageType.SUBSCRIBE) {
					StompBenchServer.this.subscribed.incrementAndGet();
				}
			}
		});
	}

	@Bean
	BenchTarget benchTarget(SimpMessagingTemplate template) {
		return new BenchTarget() {
			@Override
			public void publish(String topic, io.realtime.bench.server.Tick tick) {
				template.convertAndSend("/topic/" + topic, tick);
			}

			@Override
			public long subscribed() {
				return StompBenchServer.this.subscribed.get();
			}
		};
	}

	public static void main(String[] args) {
		SpringApplication.run(StompBenchServer.class, args);
	}

}
