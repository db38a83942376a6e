package io.realtime.bench.report;

import java.util.List;
import java.util.Map;

import io.realtime.bench.Target;

/**
 * The latency scenarios of a run as markdown: per scenario, one row per server and rate step with
 * the latency percentiles, the maximum, the server's GC pauses during the step and what was lost
 * or duplicated in it.
 *
 * @since 0.1.0
 */
public final class LatencyTables {

	private final Results results;

	public LatencyTables(Map<String, Object> document) {
		this(new Results(document));
	}

	LatencyTables(Results results) {
		this.results = results;
	}

	/** The latency scenarios the run has results for. */
	public List<String> scenarios() {
		return this.results.latencyScenarios()
			.stream()
			.filter((scenario) -> this.results.targets()
				.stream()
				.anyMatch((target) -> this.results.row(target.name(), scenario) != null))
			.toList();
	}

	public String markdown() {
		StringBuilder md = new StringBuilder();
		Map<String, Object> machine = this.results.machine();
		md.append("Run of ").append(this.results.document().get("started")).append(" on ").append(machine.get("cpus"))
			.append(" CPUs (").append(machine.get("cpuModel")).append("), ").append(machine.get("java"))
			.append(", Node ").append(machine.get("node")).append("; ").append(placement())
			.append(". Load average before the run: ").append(machine.get("loadAverage")).append("; after: ")
			.append(machine.get("loadAverageAfter")).append(".\n\n");
		for (String scenario : scenarios()) {
			table(md, scenario);
		}
		return md.toString();
	}

	private String placement() {
		if (this.results.document().get("cpus") instanceof Map<?, ?> cpus && !cpus.isEmpty()) {
			return "server on CPU " + cpus.get("server") + ", load generator on CPU " + cpus.get("generator")
					+ " (`taskset -c`)";
		}
		return "no CPU placement (server and load generator share every core)";
	}

	private void table(StringBuilder md, String scenario) {
		md.append("#### ").append(this.results.scenarioLabel(scenario)).append("\n\n")
			.append("| server | step | deliveries/s | p50 | p99 | p99.9 | max | GC pauses in the step | lost | duplicated |\n")
			.append("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
		for (Target target : this.results.targets()) {
			Map<String, Object> row = this.results.row(target.name(), scenario);
			if (row == null) {
				continue;
			}
			if (row.containsKey("error")) {
				md.append("| ").append(target.label()).append(" | ").append(row.get("error"))
					.append(" | | | | | | | | |\n");
				continue;
			}
			long subscribers = Results.lng(row, "connections") / Math.max(1, Results.lng(row, "topics"));
			for (Map<String, Object> step : this.results.steps(target.name(), scenario)) {
				md.append("| ").append(target.label()).append(" | ")
					.append(String.format("%,.0f msg/s × %,d, %,.0f s", Results.dbl(step, "rate"), subscribers,
							Results.dbl(step, "messages") / Results.dbl(step, "rate")))
					.append(" | ").append(deliveries(step)).append(" | ").append(ms(step, "p50Millis"))
					.append(" | ").append(ms(step, "p99Millis")).append(" | ").append(ms(step, "p999Millis"))
					.append(" | ").append(ms(step, "maxMillis")).append(" | ").append(gcPauses(step))
					.append(" | ").append(Results.lng(step, "missing")).append(" | ")
					.append(Results.lng(step, "duplicated")).append(" |\n");
			}
		}
		md.append('\n');
	}

	private static String deliveries(Map<String, Object> step) {
		String offered = String.format("%,.0f", Results.dbl(step, "offeredDeliveriesPerSecond"));
		return Results.held(step) ? offered
				: offered + String.format(" (fell behind: %,.0f)", Results.dbl(step, "deliveriesPerSecond"));
	}

	private static String gcPauses(Map<String, Object> step) {
		if (!(step.get("gcPauses") instanceof Map<?, ?> pauses)) {
			return "n/a";
		}
		@SuppressWarnings("unchecked")
		Map<String, Object> gc = (Map<String, Object>) pauses;
		long count = Results.lng(gc, "count");
		if (count == 0) {
			return "none";
		}
		return String.format("%d, %s ms in all, longest %s ms", count, Report.fmt(Results.dbl(gc, "totalMillis"), 1),
				Report.fmt(Results.dbl(gc, "longestMillis"), 1));
	}

	private static String ms(Map<String, Object> step, String key) {
		double millis = Results.dbl(step, key);
		return Report.fmt(millis, (millis < 1) ? 2 : 1) + " ms";
	}

}
