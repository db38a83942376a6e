package io.realtime.bench;

import java.util.List;

/**
 * A load shape, run against every target.
 *
 * @param name short name used in results
 * @param label name in tables
 * @param idle whether it measures idle connections rather than fan-out
 * @param latency whether it measures latency at moderate load: reported per step with the
 * server's GC pauses, and run only when named
 * @param connections connections opened
 * @param topics topics they subscribe to, round robin
 * @param rates publish rates stepped through, messages per second over all topics
 * @param warmupSeconds how long the first rate runs unmeasured before the steps
 * @param stepSeconds length of one rate step
 * @param burst messages per topic published as fast as possible after the steps
 * @param idleSeconds how long CPU is measured with idle connections
 * @since 0.1.0
 */
public record Scenario(String name, String label, boolean idle, boolean latency, int connections, int topics,
		List<Double> rates, double warmupSeconds, double stepSeconds, int burst, int idleSeconds) {

	static Scenario idle(String name, int connections, int idleSeconds) {
		return new Scenario(name, String.format("%,d idle connections", connections), true, false, connections, 1,
				List.of(), 0, 0, 0, idleSeconds);
	}

	static Scenario fanOut(String name, String label, int connections, int topics, List<Double> rates,
			double warmupSeconds, double stepSeconds, int burst) {
		return new Scenario(name, label, false, false, connections, topics, rates, warmupSeconds, stepSeconds, burst,
				0);
	}

	/**
	 * Steady publishing to one topic, no burst: 10 s steps give 200,000 samples at 20,000
	 * deliveries/s, enough for a p99.9 that holds from run to run. The warm-up, at the highest rate,
	 * lets the JIT finish on a server confined to one core: it publishes 20,000 messages (20 to 60
	 * s), because HotSpot compiles a method with C2 after about 15,000 calls, and the publishing
	 * path runs once per message (after 10,000, C2 still compiled it in the first step).
	 */
	static Scenario atModerateLoad(String name, String label, int connections, List<Double> rates) {
		double highest = rates.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
		double warmup = Math.min(60, Math.max(20, 20_000 / highest));
		return new Scenario(name, label, false, true, connections, 1, rates, warmup, 10, 0, 0);
	}

	/** The full benchmark: the scale. */
	static List<Scenario> full() {
		return List.of(idle("idle", 15_000, 10),
				fanOut("fanout-1000", "fan-out, 1,000 subscribers", 1_000, 1, List.of(10.0, 25.0, 50.0, 100.0, 200.0),
						2, 3, 1_000),
				fanOut("fanout-10000", "fan-out, 10,000 subscribers", 10_000, 1, List.of(1.0, 2.5, 5.0, 10.0, 20.0), 2,
						3, 100),
				fanOut("many-topics", "10,000 topics, 1 subscriber each", 10_000, 10_000,
						List.of(5_000.0, 10_000.0, 20_000.0), 2, 2, 5));
	}

	/**
	 * Latency at moderate load, best with {@code cpus=} placing the server and the generator on
	 * cores of their own; not part of the full run, selected with {@code scenarios=}.
	 */
	static List<Scenario> moderateLoad() {
		return List.of(atModerateLoad("latency-1", "latency, 1 subscriber", 1, List.of(20.0)),
				atModerateLoad("latency-100", "latency, 100 subscribers", 100, List.of(200.0, 500.0)),
				atModerateLoad("latency-1000", "latency, 1,000 subscribers", 1_000, List.of(20.0, 50.0)));
	}

	/** The smoke run inside {@code ./mvnw verify}: every code path, tiny numbers, seconds. */
	static List<Scenario> smoke() {
		return List.of(idle("idle", 20, 1),
				fanOut("fanout-1000", "fan-out (smoke)", 20, 1, List.of(200.0), 0, 0.5, 100),
				fanOut("many-topics", "many topics (smoke)", 20, 20, List.of(400.0), 0, 0.5, 5));
	}

}
