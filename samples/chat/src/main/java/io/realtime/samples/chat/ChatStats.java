package io.realtime.samples.chat;

import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import io.realtime.webmvc.ConnectionRegistry;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * {@code GET /stats}: the realtime connections the server holds, by transport, and the requests
 * each realtime endpoint has had. Shows that the tabs of one browser share one connection; the
 * browser tests read it.
 */
@RestController
class ChatStats extends OncePerRequestFilter {

	private static final String[] TRANSPORTS = { "websocket", "sse", "long-poll" };

	private final ConnectionRegistry connections;

	private final Map<String, AtomicLong> requests = new ConcurrentHashMap<>();

	ChatStats(ConnectionRegistry connections) {
		this.connections = connections;
	}

	@GetMapping("/stats")
	Map<String, Object> stats() {
		Map<String, Integer> open = new TreeMap<>();
		for (String transport : TRANSPORTS) {
			open.put(transport, this.connections.count(transport));
		}
		Map<String, Long> counted = new TreeMap<>();
		this.requests.forEach((endpoint, count) -> counted.put(endpoint, count.get()));
		return Map.of("connections", open, "requests", counted);
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		String uri = request.getRequestURI();
		if (uri.startsWith("/realtime/")) {
			this.requests.computeIfAbsent(uri.substring("/realtime/".length()), (key) -> new AtomicLong())
				.incrementAndGet();
		}
		chain.doFilter(request, response);
	}

}
