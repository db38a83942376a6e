package io.realtime.bench.load;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Per sequence number (over all topics): its publish time and its fastest and slowest delivery,
 * so a latency spike can be matched to what happened at that moment (a GC pause in a server's
 * {@code -Xlog:gc:...:time} log, a step starting). One per {@link IoLoop}, written by its thread
 * only; merged once the run is over.
 */
final class DeliveryTrace {

	private static final int SIZE = 1 << 14;

	private final long[] published = new long[SIZE];

	private final long[] fastest = new long[SIZE];

	private final long[] slowest = new long[SIZE];

	private final int[] deliveries = new int[SIZE];

	void record(long seq, long publishedMicros, long latencyMicros) {
		if (seq < 0 || seq >= SIZE) {
			return;
		}
		int i = (int) seq;
		if (this.deliveries[i] == 0 || latencyMicros < this.fastest[i]) {
			this.fastest[i] = latencyMicros;
		}
		this.slowest[i] = Math.max(this.slowest[i], latencyMicros);
		this.published[i] = publishedMicros;
		this.deliveries[i]++;
	}

	/** Write {@code seq publishedEpochMicros deliveries fastestMicros slowestMicros} lines. */
	static void write(List<DeliveryTrace> traces, Path file) throws IOException {
		try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(file))) {
			out.println("# seq published_epoch_micros deliveries fastest_micros slowest_micros");
			for (int i = 0; i < SIZE; i++) {
				long published = 0;
				long fastest = Long.MAX_VALUE;
				long slowest = 0;
				int deliveries = 0;
				for (DeliveryTrace trace : traces) {
					if (trace.deliveries[i] > 0) {
						published = trace.published[i];
						fastest = Math.min(fastest, trace.fastest[i]);
						slowest = Math.max(slowest, trace.slowest[i]);
						deliveries += trace.deliveries[i];
					}
				}
				if (deliveries > 0) {
					out.println(i + " " + published + " " + deliveries + " " + fastest + " " + slowest);
				}
			}
		}
	}

}
