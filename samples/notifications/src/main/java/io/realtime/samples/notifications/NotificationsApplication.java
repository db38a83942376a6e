package io.realtime.samples.notifications;

import java.security.Principal;
import java.time.Instant;
import java.util.Map;

import io.realtime.webmvc.RealtimePublisher;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.http.ResponseEntity;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * Private notifications: alice and bob sign in (form login), each page subscribes to its user's
 * private topic, and a notification sent to a user reaches every page of that user only, on any
 * instance (run two on one Redis with the starter's Redis module).
 */
@SpringBootApplication
@RestController
public class NotificationsApplication {

	private final RealtimePublisher realtime;

	NotificationsApplication(RealtimePublisher realtime) {
		this.realtime = realtime;
	}

	public static void main(String[] args) {
		SpringApplication.run(NotificationsApplication.class, args);
	}

	/** Who the page belongs to: it subscribes to {@code Realtime.userTopic(name, 'notifications')}. */
	@GetMapping("/me")
	Map<String, String> me(Principal principal) {
		return Map.of("name", principal.getName());
	}

	/** Sends a notification to one user: every connection of that user, no one else's. */
	@PostMapping("/notify")
	ResponseEntity<Void> notify(@RequestBody Notify request, Principal sender) {
		if (request.to() == null || request.to().isBlank() || request.text() == null || request.text().length() > 500) {
			return ResponseEntity.badRequest().build();
		}
		this.realtime.publishToUser(request.to(), "notifications",
				new Notification(sender.getName(), request.text(), Instant.now().toString()));
		return ResponseEntity.accepted().build();
	}

	@Bean
	SecurityFilterChain securityFilterChain(HttpSecurity http) {
		return http.authorizeHttpRequests((requests) -> requests.anyRequest().authenticated())
			.formLogin(Customizer.withDefaults())
			// the token in the XSRF-TOKEN cookie, sent back by the page as X-XSRF-TOKEN
			.csrf((csrf) -> csrf.spa())
			.build();
	}

	/** Demo users only: a real application signs users in against its own store. */
	@Bean
	InMemoryUserDetailsManager users() {
		return new InMemoryUserDetailsManager(User.withUsername("alice").password("{noop}alice").roles("USER").build(),
				User.withUsername("bob").password("{noop}bob").roles("USER").build());
	}

	record Notify(String to, String text) {
	}

	record Notification(String from, String text, String at) {
	}

}
