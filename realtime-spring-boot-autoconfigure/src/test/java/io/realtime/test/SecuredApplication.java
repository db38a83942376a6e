package io.realtime.test;

import java.security.Principal;

import io.realtime.webmvc.RealtimeAuthorizationPolicy;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;

/**
 * An application behind Spring Security as the README shows it: form login, CSRF protection with
 * the token in the {@code XSRF-TOKEN} cookie, the browser client open to all, everything else for
 * users only, and a policy that reads the principal. Needs Spring Security on the class path:
 * only the tests tagged {@code security} have it.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
public class SecuredApplication {

	/** Form login, the CSRF token in the XSRF-TOKEN cookie, users alice and bob. */
	@Configuration(proxyBeanMethods = false)
	public static class Security {

		@Bean
		SecurityFilterChain securityFilterChain(HttpSecurity http) {
			return http
				.authorizeHttpRequests((requests) -> requests.requestMatchers("/realtime/client.*")
					.permitAll()
					.anyRequest()
					.authenticated())
				.formLogin(Customizer.withDefaults())
				.csrf((csrf) -> csrf.spa())
				.build();
		}

		@Bean
		InMemoryUserDetailsManager users() {
			return new InMemoryUserDetailsManager(
					User.withUsername("alice").password("{noop}secret").roles("USER").build(),
					User.withUsername("bob").password("{noop}secret").roles("USER").build());
		}

	}

	/** Everyone signed in shares {@code chat}; {@code inbox/<name>} is its owner's alone. */
	@Bean
	RealtimeAuthorizationPolicy realtimeAuthorizationPolicy() {
		return new RealtimeAuthorizationPolicy() {

			@Override
			public boolean canSubscribe(@Nullable Principal principal, String topic) {
				return allowed(principal, topic);
			}

			@Override
			public boolean canPublish(@Nullable Principal principal, String topic) {
				return allowed(principal, topic);
			}

			private boolean allowed(@Nullable Principal principal, String topic) {
				return principal != null && (topic.equals("chat") || topic.equals("inbox/" + principal.getName()));
			}

		};
	}

}
