package io.realtime.bench;

import java.util.List;

/**
 * A load shape, run against every target.
 *
 * @param name short name used in results
 * @param label name in tables
 * @param idle whether it measures idle connections rather than fan-out
 * @param connections connections opened
 * @param topics topics they subscribe to, round robin
 * @param rates publish rates stepped through, messages per second over all topics
 * @param stepSeconds length of one rate step
 * @param burst messages per topic published as fast as possible after the steps
 * @param idleSeconds how long CPU is measured with idle connections
 * @since 0.1.0
 */
public record Scenario(String name, String label, boolean idle, int connections, int topics, List<Double> rates,
		double stepSeconds, int burst, int idleSeconds) {

	static Scenario idle(String name, int connections, int idleSeconds) {
		return new Scenario(name, String.format("%,d idle connections", connections), true, connections, 1, List.of(),
				0, 0, idleSeconds);
	}

	static Scenario fanOut(String name, String label, int connections, int topics, List<Double> rates,
			double stepSeconds, int burst) {
		return new Scenario(name, label, false, connections, topics, rates, stepSeconds, burst, 0);
	}

	/** The full benchmark: the scale. */
	static List<Scenario> full() {
		return List.of(idle("idle", 15_000, 10),
				fanOut("fanout-1000", "fan-out, 1,000 subscribers", 1_000, 1, List.of(10.0, 25.0, 50.0, 100.0, 200.0),
						3, 1_000),
				fanOut("fanout-10000", "fan-out, 10,000 subscribers", 10_000, 1, List.of(1.0, 2.5, 5.0, 10.0, 20.0), 3,
						100),
				fanOut("many-topics", "10,000 topics, 1 subscriber each", 10_000, 10_000,
						List.of(5_000.0, 10_000.0, 20_000.0), 2, 5));
	}

	/** The smoke run inside {@code ./mvnw verify}: every code path, tiny numbers, seconds. */
	static List<Scenario> smoke() {
		return List.of(idle("idle", 20, 1),
				fanOut("fanout-1000", "fan-out (smoke)", 20, 1, List.of(200.0), 0.5, 100),
				fanOut("many-topics", "many topics (smoke)", 20, 20, List.of(400.0), 0.5, 5));
	}

}
