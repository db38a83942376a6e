package io.realtime.samples.chat;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import io.realtime.webmvc.RealtimePublisher;

import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

/**
 * The chat demo: browsers chat on the {@code chat} topic over any transport, and the server
 * announces itself when it starts.
 */
@SpringBootApplication
public class ChatApplication {

	public static void main(String[] args) {
		SpringApplication.run(ChatApplication.class, args);
	}

	@Bean
	ApplicationRunner announce(RealtimePublisher realtime) {
		return (args) -> realtime.publish("chat",
				Map.of("user", "server", "text", "chat server started at " + Instant.now(), "uptime",
						Duration.ZERO.toString()));
	}

}
