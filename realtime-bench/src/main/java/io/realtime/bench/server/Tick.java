package io.realtime.bench.server;

/**
 * The payload every server publishes: a per-topic sequence number, to find lost and duplicated
 * messages, and the publish time in epoch microseconds, to measure publish-to-receive latency
 * across processes on one machine (both read the same wall clock).
 *
 * @param seq the sequence number within the topic, from 0
 * @param t the publish time in epoch microseconds
 * @since 0.1.0
 */
public record Tick(long seq, long t) {

	/** The wall clock in epoch microseconds (the JDK reads it with microsecond precision on Linux). */
	public static long nowMicros() {
		java.time.Instant now = java.time.Instant.now();
		return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
	}

}
