package io.realtime.bench;

import io.realtime.bench.load.Protocol;

/**
 * One server and the transport the load generator uses on it: a row of the results.
 *
 * @param name short name used on the command line and in results
 * @param label name in tables and charts
 * @param server the server process
 * @param protocol how the load generator speaks to it
 * @param reference the target of ours this one is compared with, or {@code null} for ours
 * @since 0.1.0
 */
public record Target(String name, String label, Server server, Protocol protocol, String reference) {

	/** Every target, ours first. */
	public static final Target[] ALL = {
			new Target("ours-ws", "realtime WebSocket", Server.OURS, Protocol.REALTIME_WS, null),
			new Target("ours-ws-portable", "realtime WebSocket, portable path", Server.OURS_PORTABLE,
					Protocol.REALTIME_WS, null),
			new Target("ours-sse", "realtime SSE", Server.OURS, Protocol.REALTIME_SSE, null),
			new Target("ours-sse-portable", "realtime SSE, portable path (SseEmitter)", Server.OURS_PORTABLE,
					Protocol.REALTIME_SSE, null),
			new Target("ours-long-poll", "realtime long-poll (DeferredResult)", Server.OURS,
					Protocol.REALTIME_LONG_POLL, null),
			new Target("ours-long-poll-detached", "realtime long-poll, detached", Server.OURS_DETACHED,
					Protocol.REALTIME_LONG_POLL, null),
			new Target("stomp", "Spring STOMP simple broker", Server.STOMP, Protocol.STOMP_WS, "ours-ws"),
			new Target("socketio", "Socket.IO 4 (Node)", Server.SOCKETIO, Protocol.SOCKETIO_WS, "ours-ws"),
			new Target("naive-sse", "naive SseEmitter list", Server.NAIVE, Protocol.NAIVE_SSE, "ours-sse") };

	public static Target named(String name) {
		for (Target target : ALL) {
			if (target.name.equals(name)) {
				return target;
			}
		}
		throw new IllegalArgumentException("unknown target '" + name + "'");
	}

	public boolean isOurs() {
		return this.reference == null;
	}

	/** The server processes the harness starts. */
	public enum Server {

		OURS("io.realtime.bench.server.ours.OursBenchServer"),

		/** Ours with {@code realtime.long-poll.detach=true}. */
		OURS_DETACHED("io.realtime.bench.server.ours.OursBenchServer"),

		/** Ours with {@code realtime.fast-paths.enabled=false}: Spring's portable types only. */
		OURS_PORTABLE("io.realtime.bench.server.ours.OursBenchServer"),

		STOMP("io.realtime.bench.server.stomp.StompBenchServer"),

		SOCKETIO(null),

		NAIVE("io.realtime.bench.server.naive.NaiveSseBenchServer");

		final String mainClass;

		Server(String mainClass) {
			this.mainClass = mainClass;
		}

	}

}
