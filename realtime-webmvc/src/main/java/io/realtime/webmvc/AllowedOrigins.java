package io.realtime.webmvc;

import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.web.cors.CorsConfiguration;
import org.springframework.web.socket.server.HandshakeInterceptor;
import org.springframework.web.socket.server.support.OriginHandshakeInterceptor;

/**
 * The one origin check of every transport: the origin patterns allowed to open WebSockets and to
 * call the HTTP endpoints from another origin. No pattern means same origin only.
 *
 * @since 0.1.0
 */
public class AllowedOrigins {

	private final List<String> patterns;

	/**
	 * Create the check.
	 * @param patterns origin patterns such as {@code https://*.example.com}; empty for same origin only
	 */
	public AllowedOrigins(List<String> patterns) {
		this.patterns = List.copyOf(patterns);
	}

	/** Refuses a WebSocket handshake from an origin that is not allowed with {@code 403}. */
	public HandshakeInterceptor handshakeInterceptor() {
		OriginHandshakeInterceptor interceptor = new OriginHandshakeInterceptor();
		interceptor.setAllowedOriginPatterns(this.patterns);
		return interceptor;
	}

	/** The CORS rules of the HTTP endpoints, or {@code null} when only the same origin may call them. */
	public @Nullable CorsConfiguration cors() {
		if (this.patterns.isEmpty()) {
			return null;
		}
		CorsConfiguration cors = new CorsConfiguration();
		cors.setAllowedOriginPatterns(this.patterns);
		cors.setAllowedMethods(List.of("GET", "POST"));
		cors.addAllowedHeader(CorsConfiguration.ALL);
		return cors;
	}

}
