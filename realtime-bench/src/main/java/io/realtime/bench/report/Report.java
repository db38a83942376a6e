package io.realtime.bench.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.realtime.bench.Target;

/**
 * Writes a run's tables into {@code docs/BENCHMARKS.md}, between its results markers, and its
 * charts as PNGs under {@code docs/bench/}; the latency scenarios go between markers of their
 * own, so a latency run leaves the comparison's results alone and the other way round.
 * Everything outside the markers is left as it is.
 *
 * @since 0.1.0
 */
public final class Report {

	static final String BEGIN = "<!-- bench:results:begin (written by realtime-bench; edit outside) -->";

	static final String END = "<!-- bench:results:end -->";

	static final String LATENCY_BEGIN = "<!-- bench:latency:begin (written by realtime-bench; edit outside) -->";

	static final String LATENCY_END = "<!-- bench:latency:end -->";

	private final Results results;

	private final Path docs;

	public Report(Map<String, Object> document, Path docs) {
		this.results = new Results(document);
		this.docs = docs;
	}

	public void write() throws IOException {
		Path file = this.docs.resolve("BENCHMARKS.md");
		String text = Files.exists(file) ? Files.readString(file) : "# Benchmarks\n\n";
		List<String> latency = this.results.latencyScenarios();
		if (this.results.rows().stream().anyMatch((row) -> !latency.contains(row.get("scenario")))) {
			Path charts = this.docs.resolve("bench");
			Files.createDirectories(charts);
			new Charts(this.results).write(charts);
			text = section(text, BEGIN, END, "## Results", markdown());
		}
		LatencyTables tables = new LatencyTables(this.results);
		if (!tables.scenarios().isEmpty()) {
			text = section(text, LATENCY_BEGIN, LATENCY_END, "## Latency at moderate load", tables.markdown());
		}
		Files.writeString(file, text);
	}

	/** The text with the part between the markers replaced, or appended under a heading. */
	private static String section(String text, String beginMarker, String endMarker, String heading,
			String markdown) {
		String section = beginMarker + "\n" + markdown + endMarker;
		int begin = text.indexOf(beginMarker);
		int end = text.indexOf(endMarker);
		if (begin >= 0 && end > begin) {
			return text.substring(0, begin) + section + text.substring(end + endMarker.length());
		}
		return text.stripTrailing() + "\n\n" + heading + "\n\n" + section + "\n";
	}

	String markdown() {
		StringBuilder md = new StringBuilder();
		Map<String, Object> machine = this.results.machine();
		md.append("Run of ").append(this.results.document().get("started")).append(" (")
			.append(this.results.document().get("mode")).append(" mode) on ").append(machine.get("cpus"))
			.append(" CPUs (").append(machine.get("cpuModel")).append("), ").append(machine.get("memory"))
			.append(", ").append(machine.get("java")).append(", Node ").append(machine.get("node"))
			.append("; load average before the run: ").append(machine.get("loadAverage")).append(".\n\n");
		targets(md);
		idle(md);
		for (String scenario : List.of("fanout-1000", "fanout-10000", "many-topics")) {
			fanOut(md, scenario);
		}
		steps(md, "fanout-1000");
		steps(md, "fanout-10000");
		md.append("![Peak deliveries per second by scenario](bench/throughput.png)\n\n");
		md.append("![p99 latency against delivery rate, 1,000 subscribers](bench/latency-1000.png)\n\n");
		md.append("![Latency percentiles at 50,000 deliveries per second, 1,000 subscribers](bench/latency-percentiles.png)\n\n");
		md.append("![Heap and RSS per idle connection](bench/idle-memory.png)\n\n");
		return md.toString();
	}

	private void targets(StringBuilder md) {
		md.append("#### Targets\n\n| target | measured | met |\n| --- | --- | --- |\n");
		Double ours = this.results.peak("ours-ws", "fanout-1000");
		for (String peer : List.of("stomp", "socketio")) {
			Double theirs = this.results.peak(peer, "fanout-1000");
			double needed = peer.equals("stomp") ? 2.0 : 1.2;
			String ratio = (ours != null && theirs != null && theirs > 0) ? fmt(ours / theirs, 2) + "×" : "n/a";
			String met = (ours != null && theirs != null && theirs > 0) ? yes(ours / theirs >= needed) : "not measured";
			md.append("| WebSocket fan-out at 1,000 subscribers ≥ ").append(fmt(needed, 1)).append("× ")
				.append(Target.named(peer).label()).append(" | ").append(ratio).append(" | ").append(met)
				.append(" |\n");
		}
		for (String target : List.of("ours-ws", "ours-ws-portable", "ours-sse", "ours-sse-portable", "ours-long-poll",
				"ours-long-poll-detached")) {
			Map<String, Object> step = this.results.stepAt(target, "fanout-1000", 50_000);
			Double p99 = (step != null) ? Results.dbl(step, "p99Millis") : null;
			md.append("| ").append(Target.named(target).label()).append(": p99 ≤ 20 ms at 50,000 deliveries/s | ")
				.append((p99 != null) ? fmt(p99, 1) + " ms" : "n/a").append(" | ")
				.append((p99 != null) ? yes(p99 <= 20 && Results.held(step)) : "not measured")
				.append(" |\n");
		}
		for (String target : List.of("ours-ws", "ours-ws-portable", "ours-sse", "ours-sse-portable", "ours-long-poll",
				"ours-long-poll-detached")) {
			Map<String, Object> idle = this.results.row(target, "idle");
			Double heap = (idle != null) ? Results.dbl(idle, "heapPerConnection") : null;
			md.append("| ").append(Target.named(target).label()).append(": ")
				.append((idle != null) ? String.format("%,d", Results.lng(idle, "connections")) : "15,000")
				.append(" idle connections at ≤ 24 KiB heap each | ")
				.append((heap != null) ? fmt(heap / 1024, 1) + " KiB" : "n/a").append(" | ")
				.append((heap != null) ? yes(heap <= 24 * 1024 && Results.lng(idle, "closed") == 0) : "not measured")
				.append(" |\n");
		}
		// the target is ours; the peers' failures are in their rows below
		List<Map<String, Object>> ourRuns = this.results.rows()
			.stream()
			.filter((row) -> Target.named((String) row.get("target")).reference() == null)
			.toList();
		long unclean = ourRuns.stream().filter((row) -> !io.realtime.bench.BenchRunner.clean(row)).count();
		md.append("| zero lost or duplicated messages in every run of ours | ").append(unclean)
			.append(" of ").append(ourRuns.size()).append(" runs with loss, duplicates or errors | ")
			.append(yes(unclean == 0)).append(" |\n\n");
	}

	private void idle(StringBuilder md) {
		md.append("#### Idle connections\n\n")
			.append("Heartbeats every 5 s (WebSocket pings, SSE comments, STOMP heartbeats, Engine.IO pings; long polls ")
			.append("time out and are renewed every 5 s; the naive SSE server has none). Heap is the used heap after full ")
			.append("collections (Node: V8 heap plus external buffers), before and after opening the connections.\n\n")
			.append("| server | open | heap per connection | heap ratio to ours | RSS per connection | CPU while idle | problems |\n")
			.append("| --- | --- | --- | --- | --- | --- | --- |\n");
		for (Target target : this.results.targets()) {
			Map<String, Object> row = this.results.row(target.name(), "idle");
			if (row == null) {
				continue;
			}
			if (row.containsKey("error")) {
				md.append("| ").append(target.label()).append(" | ").append(row.get("error")).append(" | | | | | |\n");
				continue;
			}
			Map<String, Object> reference = (target.reference() != null) ? this.results.row(target.reference(), "idle")
					: null;
			md.append("| ").append(target.label()).append(" | ")
				.append(String.format("%,d / %,d", Results.lng(row, "ready"), Results.lng(row, "connections")))
				.append(" | ").append(fmt(Results.dbl(row, "heapPerConnection") / 1024, 1)).append(" KiB | ")
				.append(ratio(row, reference, "heapPerConnection")).append(" | ")
				.append(fmt(Results.dbl(row, "rssPerConnection") / 1024, 1)).append(" KiB | ")
				.append(fmt(Results.dbl(row, "idleCpuPercent"), 1)).append(" % | ").append(problems(row))
				.append(" |\n");
		}
		md.append('\n');
	}

	private void fanOut(StringBuilder md, String scenario) {
		if (this.results.targets().stream().noneMatch((t) -> this.results.row(t.name(), scenario) != null)) {
			return;
		}
		boolean manyTopics = scenario.equals("many-topics");
		double at = manyTopics ? 10_000 : 50_000;
		md.append("#### ").append(this.results.scenarioLabel(scenario)).append("\n\n")
			.append("Peak: one burst published as fast as the server's publish API takes it, deliveries divided by the time ")
			.append("from the publish request to the last delivery (at most 15 s: a burst not delivered by then is ")
			.append("counted at the rate reached, and its rest as late). Latency at the step offering ")
			.append(String.format("%,.0f", at)).append(" deliveries/s.\n\n")
			.append("| server | peak deliveries/s | ratio to ours | p50 | p99 | p99.9 | highest step held | lost | duplicated | problems |\n")
			.append("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
		for (Target target : this.results.targets()) {
			Map<String, Object> row = this.results.row(target.name(), scenario);
			if (row == null) {
				continue;
			}
			if (row.containsKey("error")) {
				md.append("| ").append(target.label()).append(" | ").append(row.get("error")).append(" | | | | | | | | |\n");
				continue;
			}
			Double peak = this.results.peak(target.name(), scenario);
			Double referencePeak = (target.reference() != null) ? this.results.peak(target.reference(), scenario) : null;
			Map<String, Object> step = this.results.stepAt(target.name(), scenario, at);
			md.append("| ").append(target.label()).append(" | ").append((peak != null) ? String.format("%,.0f", peak) : "n/a")
				.append(" | ")
				.append((peak != null && referencePeak != null && referencePeak > 0) ? fmt(peak / referencePeak, 2) : "")
				.append(" | ").append(ms(step, "p50Millis")).append(" | ").append(ms(step, "p99Millis")).append(" | ")
				.append(ms(step, "p999Millis")).append(" | ").append(this.results.highestHeld(target.name(), scenario))
				.append(" | ").append(Results.lng(row, "lost")).append(" | ").append(Results.lng(row, "duplicated"))
				.append(" | ").append(problems(row)).append(" |\n");
		}
		md.append('\n');
	}

	private void steps(StringBuilder md, String scenario) {
		List<Double> rates = new ArrayList<>();
		for (Target target : this.results.targets()) {
			for (Map<String, Object> step : this.results.steps(target.name(), scenario)) {
				double offered = Results.dbl(step, "offeredDeliveriesPerSecond");
				if (!rates.contains(offered)) {
					rates.add(offered);
				}
			}
		}
		if (rates.isEmpty()) {
			return;
		}
		rates.sort(Double::compare);
		md.append("##### p99 latency by offered delivery rate, ").append(this.results.scenarioLabel(scenario)).append("\n\n| server |");
		rates.forEach((rate) -> md.append(String.format(" %,.0f/s |", rate)));
		md.append("\n| --- |");
		rates.forEach((rate) -> md.append(" --- |"));
		md.append('\n');
		for (Target target : this.results.targets()) {
			List<Map<String, Object>> steps = this.results.steps(target.name(), scenario);
			if (steps.isEmpty()) {
				continue;
			}
			md.append("| ").append(target.label()).append(" |");
			for (double rate : rates) {
				Map<String, Object> step = steps.stream()
					.filter((s) -> Results.dbl(s, "offeredDeliveriesPerSecond") == rate)
					.findFirst()
					.orElse(null);
				md.append(' ').append((step == null) ? "–" : ms(step, "p99Millis")
						+ (Results.held(step) ? "" : String.format(" (fell behind: %,.0f/s)",
								Results.dbl(step, "deliveriesPerSecond")))).append(" |");
			}
			md.append('\n');
		}
		md.append('\n');
	}

	private static String problems(Map<String, Object> row) {
		StringBuilder text = new StringBuilder();
		long closed = Results.lng(row, "closed");
		if (closed > 0) {
			text.append(closed).append(" closed");
		}
		if (row.get("failures") instanceof Map<?, ?> failures && !failures.isEmpty()) {
			text.append((text.length() > 0) ? "; " : "").append(failures.keySet().iterator().next());
		}
		if (Boolean.FALSE.equals(row.get("complete"))) {
			text.append((text.length() > 0) ? "; " : "").append("fell behind (")
				.append(String.format("%,d", Results.lng(row, "lateDeliveries")))
				.append(" deliveries late)");
		}
		return (text.length() > 0) ? text.toString().replace("|", "/") : "none";
	}

	private static String ratio(Map<String, Object> row, Map<String, Object> reference, String key) {
		if (reference == null || reference.containsKey("error") || Results.dbl(reference, key) <= 0) {
			return "";
		}
		return fmt(Results.dbl(row, key) / Results.dbl(reference, key), 2);
	}

	private static String ms(Map<String, Object> step, String key) {
		return (step == null) ? "n/a" : fmt(Results.dbl(step, key), 1) + " ms";
	}

	static String fmt(double value, int decimals) {
		return String.format("%,." + decimals + "f", value);
	}

	private static String yes(boolean met) {
		return met ? "**met**" : "**missed**";
	}

}
