package io.realtime.bench.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.realtime.bench.Target;

/** Read access to a results document. */
final class Results {

	private final Map<String, Object> document;

	Results(Map<String, Object> document) {
		this.document = document;
	}

	Map<String, Object> document() {
		return this.document;
	}

	@SuppressWarnings("unchecked")
	Map<String, Object> machine() {
		return (Map<String, Object>) this.document.get("machine");
	}

	@SuppressWarnings("unchecked")
	List<Map<String, Object>> rows() {
		return (List<Map<String, Object>>) this.document.get("results");
	}

	List<Target> targets() {
		List<Target> targets = new ArrayList<>();
		for (Target target : Target.ALL) {
			if (rows().stream().anyMatch((row) -> target.name().equals(row.get("target")))) {
				targets.add(target);
			}
		}
		return targets;
	}

	String scenarioLabel(String scenario) {
		Object scenarios = this.document.get("scenarios");
		if (scenarios instanceof List<?> list) {
			for (Object item : list) {
				if (item instanceof io.realtime.bench.Scenario s && s.name().equals(scenario)) {
					return capitalize(s.label());
				}
				if (item instanceof Map<?, ?> m && scenario.equals(m.get("name"))) {
					return capitalize(String.valueOf(m.get("label")));
				}
			}
		}
		return scenario;
	}

	/** The run's latency scenarios, in the order they ran. */
	List<String> latencyScenarios() {
		List<String> names = new ArrayList<>();
		if (this.document.get("scenarios") instanceof List<?> list) {
			for (Object item : list) {
				if (item instanceof io.realtime.bench.Scenario s && s.latency()) {
					names.add(s.name());
				}
				if (item instanceof Map<?, ?> m && Boolean.TRUE.equals(m.get("latency"))) {
					names.add(String.valueOf(m.get("name")));
				}
			}
		}
		return names;
	}

	private static String capitalize(String text) {
		return Character.toUpperCase(text.charAt(0)) + text.substring(1);
	}

	Map<String, Object> row(String target, String scenario) {
		for (Map<String, Object> row : rows()) {
			if (target.equals(row.get("target")) && scenario.equals(row.get("scenario"))) {
				return row;
			}
		}
		return null;
	}

	@SuppressWarnings("unchecked")
	List<Map<String, Object>> steps(String target, String scenario) {
		Map<String, Object> row = row(target, scenario);
		if (row == null || !(row.get("steps") instanceof List<?>)) {
			return List.of();
		}
		return (List<Map<String, Object>>) row.get("steps");
	}

	/** Burst deliveries per second, when the burst completed. */
	@SuppressWarnings("unchecked")
	Double peak(String target, String scenario) {
		Map<String, Object> row = row(target, scenario);
		if (row == null || !(row.get("burst") instanceof Map<?, ?>)) {
			return null;
		}
		Map<String, Object> burst = (Map<String, Object>) row.get("burst");
		return dbl(burst, "deliveriesPerSecond");
	}

	/** The step offering this many deliveries per second. */
	Map<String, Object> stepAt(String target, String scenario, double offered) {
		for (Map<String, Object> step : steps(target, scenario)) {
			if (Math.abs(dbl(step, "offeredDeliveriesPerSecond") - offered) < 1) {
				return step;
			}
		}
		return null;
	}

	String highestHeld(String target, String scenario) {
		double best = -1;
		for (Map<String, Object> step : steps(target, scenario)) {
			if (held(step) && dbl(step, "p99Millis") <= 100) {
				best = Math.max(best, dbl(step, "offeredDeliveriesPerSecond"));
			}
		}
		return (best < 0) ? "none" : String.format("%,.0f/s", best);
	}

	/** Whether a step delivered everything, at 90 % of the offered rate or more. */
	static boolean held(Map<String, Object> step) {
		return Boolean.TRUE.equals(step.get("complete"))
				&& dbl(step, "deliveriesPerSecond") >= 0.9 * dbl(step, "offeredDeliveriesPerSecond");
	}

	static double dbl(Map<String, Object> map, String key) {
		Object value = map.get(key);
		return (value instanceof Number number) ? number.doubleValue() : 0;
	}

	static long lng(Map<String, Object> map, String key) {
		Object value = map.get(key);
		return (value instanceof Number number) ? number.longValue() : 0;
	}

}
