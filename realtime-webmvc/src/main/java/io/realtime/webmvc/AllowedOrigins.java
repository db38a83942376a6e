package io.realtime.webmvc;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import io.realtime.webmvc.RealtimeException.Reason;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.ServerHttpRequest;
import org.springframework.http.server.ServerHttpResponse;
import org.springframework.http.server.ServletServerHttpRequest;
import org.springframework.http.server.ServletServerHttpResponse;
import org.springframework.web.cors.CorsConfiguration;
import org.springframework.web.cors.DefaultCorsProcessor;
import org.springframework.web.filter.CorsFilter;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.server.HandshakeInterceptor;
import org.springframework.web.util.WebUtils;

/**
 * The one origin check of every transport: the origin patterns allowed to open WebSockets, to
 * publish, and to call the HTTP endpoints from another origin. No pattern means same origin only.
 * <p>
 * A request is {@linkplain #permits(ServerHttpRequest) permitted} when its {@code Origin} is the
 * request's own (decided as Spring's {@link WebUtils#isSameOrigin} does, so forwarded headers
 * count once the application trusts them) or matches a pattern. A request without {@code Origin}
 * is permitted unless the browser's {@code Sec-Fetch-Site} says it came from another origin:
 * curl and server-to-server calls send neither header. Everything refused is a {@code 403}
 * problem, logged at DEBUG: a foreign origin is the client's mistake, not the server's.
 *
 * @since 0.1.0
 */
public class AllowedOrigins {

	private static final Log logger = LogFactory.getLog(AllowedOrigins.class);

	private static final String REFUSED = "requests from this origin are not allowed";

	/** With {@code Origin}, the only header {@link #permits} reads: {@link OriginHeaders} carries no other. */
	private static final String SEC_FETCH_SITE = "Sec-Fetch-Site";

	private final List<String> patterns;

	private final CorsConfiguration allowed = new CorsConfiguration();

	/**
	 * Create the check.
	 * @param patterns origin patterns such as {@code https://*.example.com}; empty for same origin only
	 */
	public AllowedOrigins(List<String> patterns) {
		this.patterns = List.copyOf(patterns);
		this.allowed.setAllowedOriginPatterns(this.patterns);
	}

	/**
	 * Whether a request may act from where it was sent.
	 * @param request the request
	 * @return {@code false} for a foreign or unreadable {@code Origin}, or no {@code Origin} and a
	 * {@code Sec-Fetch-Site} other than {@code same-origin} or {@code none}
	 */
	public boolean permits(ServerHttpRequest request) {
		String origin = request.getHeaders().getOrigin();
		if (origin == null) {
			String site = request.getHeaders().getFirst(SEC_FETCH_SITE);
			return site == null || "same-origin".equals(site) || "none".equals(site);
		}
		try {
			return WebUtils.isSameOrigin(request) || this.allowed.checkOrigin(origin) != null;
		}
		catch (IllegalArgumentException ex) {
			return false; // not a URL, e.g. "http://localhost:8080.evil.com"
		}
	}

	/**
	 * Refuse a request that may not act from where it was sent.
	 * @param request the request
	 * @throws RealtimeException {@link Reason#FORBIDDEN} when it is not {@linkplain #permits permitted}
	 */
	public void check(HttpServletRequest request) {
		if (!permits(new OriginHeaders(request))) {
			logger.debug("Refused " + request.getRequestURI() + " from origin " + request.getHeader("Origin"));
			throw new RealtimeException(Reason.FORBIDDEN, REFUSED);
		}
	}

	/** Refuses a WebSocket handshake that is not {@linkplain #permits permitted} with a {@code 403} problem. */
	public HandshakeInterceptor handshakeInterceptor() {
		return new HandshakeInterceptor() {

			@Override
			public boolean beforeHandshake(ServerHttpRequest request, ServerHttpResponse response,
					WebSocketHandler handler, Map<String, Object> attributes) throws IOException {
				if (permits(request)) {
					return true;
				}
				logger.debug("Refused WebSocket handshake from origin " + request.getHeaders().getOrigin());
				refuse(response);
				return false;
			}

			@Override
			public void afterHandshake(ServerHttpRequest request, ServerHttpResponse response,
					WebSocketHandler handler, @Nullable Exception exception) {
			}

		};
	}

	/**
	 * The CORS filter of the HTTP endpoints, to map to {@code {base}/*}: it answers preflights and
	 * refuses other origins with a {@code 403} problem.
	 * @return the filter, or {@code null} when only the same origin may call the endpoints
	 */
	public @Nullable CorsFilter corsFilter() {
		if (this.patterns.isEmpty()) {
			return null;
		}
		CorsConfiguration cors = new CorsConfiguration();
		cors.setAllowedOriginPatterns(this.patterns);
		cors.setAllowedMethods(List.of("GET", "POST", "HEAD", "PATCH", "DELETE"));
		cors.addAllowedHeader(CorsConfiguration.ALL);
		// what a tus client reads of the uploads' answers
		cors.setExposedHeaders(List.of("Location", "Upload-Offset", "Upload-Length", "Upload-Metadata",
				"Upload-Expires", "Tus-Resumable", "Tus-Version", "Tus-Extension", "Tus-Max-Size",
				"Tus-Checksum-Algorithm"));
		CorsFilter filter = new CorsFilter((request) -> cors);
		filter.setCorsProcessor(new ProblemCorsProcessor());
		return filter;
	}

	private static void refuse(ServerHttpResponse response) throws IOException {
		response.setStatusCode(HttpStatus.FORBIDDEN);
		response.getHeaders().setContentType(MediaType.APPLICATION_PROBLEM_JSON);
		byte[] body = WireFormat.problem(HttpStatus.FORBIDDEN, REFUSED, null).getBytes(StandardCharsets.UTF_8);
		response.getHeaders().setContentLength(body.length);
		response.getBody().write(body);
		response.flush();
	}

	/**
	 * A request whose headers are only those the check reads: {@link ServletServerHttpRequest}
	 * copies and parses them all, a few microseconds of every publish.
	 */
	private static final class OriginHeaders extends ServletServerHttpRequest {

		private final HttpHeaders headers = new HttpHeaders();

		OriginHeaders(HttpServletRequest request) {
			super(request);
			copy(request, HttpHeaders.ORIGIN);
			copy(request, SEC_FETCH_SITE);
		}

		private void copy(HttpServletRequest request, String name) {
			String value = request.getHeader(name);
			if (value != null) {
				this.headers.add(name, value);
			}
		}

		@Override
		public HttpHeaders getHeaders() {
			return this.headers;
		}

	}

	/** Spring's CORS rules, answering a refusal as every other refusal of the endpoints is answered. */
	private static final class ProblemCorsProcessor extends DefaultCorsProcessor {

		@Override
		public boolean processRequest(@Nullable CorsConfiguration config, HttpServletRequest request,
				HttpServletResponse response) throws IOException {
			try {
				return super.processRequest(config, request, response);
			}
			catch (IllegalArgumentException ex) {
				// an Origin that is not a URL: Spring's same-origin check cannot parse it
				rejectRequest(new ServletServerHttpResponse(response));
				return false;
			}
		}

		@Override
		protected void rejectRequest(ServerHttpResponse response) throws IOException {
			logger.debug("Refused a CORS request from an origin not allowed");
			refuse(response);
		}

	}

}
