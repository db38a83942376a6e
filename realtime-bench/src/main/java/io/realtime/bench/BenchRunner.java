package io.realtime.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import io.realtime.bench.load.LoadGenerator;
import io.realtime.bench.report.LatencyTables;
import io.realtime.bench.report.Report;
import tools.jackson.databind.json.JsonMapper;

/**
 * Runs the benchmark: every selected target through every scenario, one server process at a
 * time, each scenario in a fresh load-generator process; writes
 * {@code target/results/results.json} and, with {@code docs=true}, the tables and charts of
 * {@code docs/BENCHMARKS.md}.
 *
 * <pre>
 * java -cp … io.realtime.bench.BenchRunner mode=full|smoke [targets=ours-ws,stomp,…]
 *      [scenarios=idle,fanout-1000,latency-100,…] [docs=true] [out=target/results]
 *      [tomcat-buffer=1024] [tomcat-threads=200] [jfr=OURS] [server-jvm=-XX:…,…] [server-java=/path/to/bin/java]
 *      [trace=true] [cpus=0/1]
 * </pre>
 *
 * Java servers run with G1 on the runner's own JDK unless {@code server-jvm} picks another
 * collector ({@code -XX:+UseZGC}) or {@code server-java} another JDK (generational ZGC needs 21+).
 *
 * {@code cpus=<server>/<generator>} confines the server and each load generator to those CPU
 * lists with {@code taskset}. The latency scenarios ({@code latency-1}, {@code latency-100},
 * {@code latency-1000}) run only when named; their tables, with the server's GC pauses per step
 * from {@code logs/gc-<target>.log}, are printed and written to {@code latency.md}.
 *
 * {@code trace=true} writes, per scenario, the fastest and slowest delivery of every message to
 * {@code logs/trace-<target>-<scenario>.txt}, to match latency spikes to a server's GC log.
 *
 * @since 0.1.0
 */
public final class BenchRunner {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final Map<String, String> options;

	private final Path out;

	private final CpuPlacement cpus;

	/** Local addresses 127.a.b.x: a fresh /24 per load generator, so no run meets another's TIME_WAIT. */
	private int network = ThreadLocalRandom.current().nextInt(250 * 200);

	public BenchRunner(Map<String, String> options) {
		this.options = options;
		this.out = Path.of(options.getOrDefault("out", "target/results"));
		this.cpus = options.containsKey("cpus") ? CpuPlacement.parse(options.get("cpus")) : CpuPlacement.NONE;
	}

	public static void main(String[] args) throws Exception {
		Map<String, String> options = new LinkedHashMap<>();
		for (String arg : args) {
			for (String part : arg.trim().split("\\s+")) {
				int eq = part.indexOf('=');
				if (eq > 0) {
					options.put(part.substring(0, eq), part.substring(eq + 1));
				}
			}
		}
		BenchRunner runner = new BenchRunner(options);
		List<Map<String, Object>> results = runner.run();
		long bad = results.stream().filter((result) -> !BenchRunner.clean(result)).count();
		System.out.println("bench: " + results.size() + " runs, " + bad + " with loss, duplicates or errors; "
				+ runner.out.resolve("results.json"));
		System.exit((bad == 0) ? 0 : 1);
	}

	/** Whether a run lost, duplicated or failed nothing. */
	public static boolean clean(Map<String, Object> result) {
		if (result.containsKey("error")) {
			return false;
		}
		return number(result, "lost") == 0 && number(result, "duplicated") == 0 && number(result, "closed") == 0;
	}

	static long number(Map<String, Object> result, String key) {
		Object value = result.get(key);
		return (value instanceof Number number) ? number.longValue() : 0;
	}

	static String java() {
		return ProcessHandle.current().info().command().orElse("java");
	}

	/**
	 * Run every selected target through every selected scenario.
	 * @return one result per target and scenario
	 */
	public List<Map<String, Object>> run() throws Exception {
		boolean smoke = this.options.getOrDefault("mode", "smoke").equals("smoke");
		List<Scenario> scenarios = new ArrayList<>(smoke ? Scenario.smoke() : Scenario.full());
		if (this.options.containsKey("scenarios")) {
			List<String> names = Arrays.asList(this.options.get("scenarios").split(","));
			if (!smoke) {
				scenarios.addAll(Scenario.moderateLoad());
			}
			for (String name : names) {
				if (scenarios.stream().noneMatch((scenario) -> scenario.name().equals(name))) {
					throw new IllegalArgumentException("unknown scenario '" + name + "'");
				}
			}
			scenarios.removeIf((scenario) -> !names.contains(scenario.name()));
		}
		List<Target> targets = new ArrayList<>();
		String defaultTargets = smoke ? "ours-ws,ours-sse,ours-sse-portable,ours-long-poll"
				: "ours-ws,ours-ws-portable,ours-sse,ours-sse-portable,ours-long-poll,ours-long-poll-detached,stomp,socketio,"
						+ "naive-sse";
		for (String name : this.options.getOrDefault("targets", defaultTargets).split(",")) {
			targets.add(Target.named(name.trim()));
		}
		Files.createDirectories(this.out);
		Path logs = this.out.resolve("logs");
		List<Map<String, Object>> results = new ArrayList<>();
		Instant started = Instant.now();
		Map<String, Object> machine = Machine.describe();
		for (Target target : targets) {
			Target.Server server = target.server();
			if (server == Target.Server.SOCKETIO && !prepareSocketIo(logs)) {
				scenarios.forEach((scenario) -> results
					.add(error(target, scenario, "node or npm unavailable: Socket.IO skipped")));
				continue;
			}
			// a fresh server per target: an earlier transport's connections never skew a heap baseline
			log("starting " + server + " for " + target.name());
			GcLog gcLog = new GcLog(logs.resolve("gc-" + target.name() + ".log"));
			try (ServerProcess process = ServerProcess.start(server, logs, smoke ? "512m" : "3g",
					this.options.getOrDefault("server-java", java()), jvmOptions(server), gcLog, this.cpus)) {
				long baseline = openFiles(process.pid());
				for (Scenario scenario : scenarios) {
					awaitConnectionsGone(process.pid(), baseline);
					results.add(runScenario(process, target, scenario, logs));
				}
			}
		}
		Map<String, Object> document = new LinkedHashMap<>();
		document.put("started", started.toString());
		document.put("finished", Instant.now().toString());
		document.put("mode", smoke ? "smoke" : "full");
		document.put("tomcatBuffer", Integer.parseInt(this.options.getOrDefault("tomcat-buffer", "0")));
		document.put("tomcatThreads", Integer.parseInt(this.options.getOrDefault("tomcat-threads", "200")));
		machine.put("loadAverageAfter", Machine.loadAverage());
		document.put("machine", machine);
		document.put("cpus", this.cpus.describe());
		document.put("scenarios", scenarios);
		document.put("results", results);
		Files.writeString(this.out.resolve("results.json"),
				JSON.writerWithDefaultPrettyPrinter().writeValueAsString(document));
		LatencyTables latency = new LatencyTables(document);
		if (!latency.scenarios().isEmpty()) {
			String tables = latency.markdown();
			Files.writeString(this.out.resolve("latency.md"), tables);
			System.out.println(tables);
		}
		if (Boolean.parseBoolean(this.options.getOrDefault("docs", "false"))) {
			Path docs = Path.of(this.options.getOrDefault("docs-dir", "../docs"));
			new Report(document, docs).write();
			log("wrote " + docs.resolve("BENCHMARKS.md").toAbsolutePath().normalize());
		}
		return results;
	}

	/**
	 * Wait until the server has let go of the previous scenario's connections: a waiting request
	 * whose client left is only found at its next write or timeout, and 10,000 of them beside the
	 * next scenario's would run the server out of file descriptors.
	 */
	private static void awaitConnectionsGone(long pid, long baseline) throws InterruptedException {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
		while (openFiles(pid) > baseline + 200 && System.nanoTime() < deadline) {
			Thread.sleep(200);
		}
	}

	private static long openFiles(long pid) {
		try (var files = Files.list(Path.of("/proc/" + pid + "/fd"))) {
			return files.count();
		}
		catch (IOException ex) {
			return 0;
		}
	}

	private List<String> jvmOptions(Target.Server server) {
		List<String> options = new ArrayList<>();
		String buffer = this.options.getOrDefault("tomcat-buffer", "0");
		if (!buffer.equals("0")) {
			// the documented tuning for many idle connections, for every Java server alike
			options.add("-Dbench.tomcat.socket-buffer=" + buffer);
			options.add("-Dorg.apache.tomcat.websocket.DEFAULT_BUFFER_SIZE=" + buffer);
		}
		// on the portable path Tomcat's request threads also run WebSocket send completions: how
		// many it may start shows in the latency tail on few cores (docs/BENCHMARKS.md)
		options.add("-Dserver.tomcat.threads.max=" + this.options.getOrDefault("tomcat-threads", "200"));
		String extra = this.options.get("server-jvm");
		if (extra != null) {
			options.addAll(Arrays.asList(extra.split(",")));
		}
		String profile = this.options.get("jfr");
		if (profile != null && profile.equalsIgnoreCase(server.name())) {
			options.add("-XX:StartFlightRecording=filename="
					+ this.out.resolve(server.name().toLowerCase() + ".jfr").toAbsolutePath() + ",settings=profile");
		}
		return options;
	}

	private Map<String, Object> runScenario(ServerProcess server, Target target, Scenario scenario, Path logs)
			throws IOException, InterruptedException {
		int net = this.network++;
		// a young generation that a step does not fill, and a log to show the generator's own
		// pauses stay out of the steps (a 60 ms one in a step once set a server's p99)
		Path generatorGc = logs.resolve("gc-generator-" + target.name() + "-" + scenario.name() + ".log");
		List<String> command = new ArrayList<>(this.cpus.generator(List.of(java(), "-Xmx1500m", "-Xmn768m",
				"-XX:+UseParallelGC", "-Xlog:gc:file=" + generatorGc.toAbsolutePath() + ":uptimemillis", "-cp",
				System.getProperty("java.class.path"), LoadGenerator.class.getName())));
		command.add("protocol=" + target.protocol().name());
		command.add("port=" + server.port);
		command.add("pid=" + server.pid());
		command.add("scenario=" + (scenario.idle() ? "idle" : "fanout"));
		command.add("connections=" + scenario.connections());
		command.add("topics=" + scenario.topics());
		command.add("rates=" + String.join(",", scenario.rates().stream().map(String::valueOf).toList()));
		command.add("step-seconds=" + scenario.stepSeconds());
		command.add("burst=" + scenario.burst());
		command.add("idle-seconds=" + scenario.idleSeconds());
		command.add("warmup-seconds=" + scenario.warmupSeconds());
		command.add("settle=" + scenario.latency());
		command.add("threads=" + this.options.getOrDefault("threads", "2"));
		command.add("local=127." + (1 + (net / 250) % 250) + "." + (1 + net % 250));
		if (Boolean.parseBoolean(this.options.getOrDefault("trace", "false"))) {
			command.add("trace=" + logs.resolve("trace-" + target.name() + "-" + scenario.name() + ".txt").toAbsolutePath());
		}
		log(target.name() + " / " + scenario.name() + " ...");
		Path log = logs.resolve("load-" + target.name() + "-" + scenario.name() + ".log");
		Process process = new ProcessBuilder(command).redirectError(log.toFile()).start();
		String resultLine = null;
		try (BufferedReader reader = new BufferedReader(
				new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
			String line;
			while ((line = reader.readLine()) != null) {
				if (line.startsWith("RESULT ")) {
					resultLine = line.substring(7);
				}
			}
		}
		if (!process.waitFor(15, TimeUnit.MINUTES)) {
			process.destroyForcibly();
		}
		double generatorCpu = process.info().totalCpuDuration().map((d) -> d.toMillis() / 1000.0).orElse(-1.0);
		if (resultLine == null) {
			return error(target, scenario, "load generator failed; see " + log);
		}
		@SuppressWarnings("unchecked")
		Map<String, Object> result = JSON.readValue(resultLine, LinkedHashMap.class);
		Map<String, Object> row = new LinkedHashMap<>();
		row.put("target", target.name());
		row.put("scenario", scenario.name());
		row.putAll(result);
		row.put("generatorCpuSeconds", generatorCpu);
		addGcPauses(row, server.gcLog);
		log(target.name() + " / " + scenario.name() + ": " + summary(row));
		return row;
	}

	/**
	 * Give every step the server's GC pauses during it, as {@code gcPauses}; none when the server
	 * writes no GC log.
	 */
	@SuppressWarnings("unchecked")
	private static void addGcPauses(Map<String, Object> row, GcLog gcLog) throws IOException {
		if (!Files.exists(gcLog.file())) {
			return;
		}
		List<GcLog.Pause> pauses = gcLog.read();
		List<Object> steps = new ArrayList<>();
		if (row.get("warmup") != null) {
			steps.add(row.get("warmup"));
		}
		if (row.get("steps") instanceof List<?> list) {
			steps.addAll(list);
		}
		if (row.get("burst") != null) {
			steps.add(row.get("burst"));
		}
		for (Object item : steps) {
			Map<String, Object> step = (Map<String, Object>) item;
			step.put("gcPauses", GcLog.during(pauses, number(step, "startEpochMillis"), number(step, "endEpochMillis")));
		}
	}

	private static String summary(Map<String, Object> row) {
		StringBuilder text = new StringBuilder();
		for (String key : List.of("heapPerConnection", "rssPerConnection", "idleCpuPercent", "lost", "duplicated",
				"closed", "failures")) {
			if (row.containsKey(key)) {
				text.append(key).append('=').append(row.get(key)).append(' ');
			}
		}
		if (row.get("burst") instanceof Map<?, ?> burst) {
			text.append("burst=").append(Math.round(((Number) burst.get("deliveriesPerSecond")).doubleValue()))
				.append("/s ");
		}
		if (row.get("steps") instanceof List<?> steps) {
			for (Object step : steps) {
				Map<?, ?> s = (Map<?, ?>) step;
				text.append(String.format("[%s/s p99=%.1fms max=%.1fms%s%s] ", s.get("offeredDeliveriesPerSecond"),
						((Number) s.get("p99Millis")).doubleValue(), ((Number) s.get("maxMillis")).doubleValue(),
						(s.get("gcPauses") instanceof Map<?, ?> gc) ? " gc=" + gc.get("count") : "",
						Boolean.TRUE.equals(s.get("complete")) ? "" : " INCOMPLETE"));
			}
		}
		return text.toString();
	}

	private static Map<String, Object> error(Target target, Scenario scenario, String message) {
		Map<String, Object> row = new LinkedHashMap<>();
		row.put("target", target.name());
		row.put("scenario", scenario.name());
		row.put("error", message);
		log(target.name() + " / " + scenario.name() + ": " + message);
		return row;
	}

	private static boolean prepareSocketIo(Path logs) {
		try {
			Path directory = ServerProcess.socketIoDirectory();
			if (Files.isDirectory(directory.resolve("node_modules/socket.io"))) {
				return true;
			}
			log("npm ci in " + directory);
			Process npm = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund").directory(directory.toFile())
				.redirectErrorStream(true)
				.redirectOutput(ProcessBuilder.Redirect.appendTo(logs.resolve("npm.log").toFile()))
				.start();
			return npm.waitFor(5, TimeUnit.MINUTES) && npm.exitValue() == 0;
		}
		catch (IOException | RuntimeException ex) {
			return false;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
	}

	static void log(String message) {
		System.out.println("[bench " + java.time.LocalTime.now().withNano(0) + "] " + message);
		System.out.flush();
	}

}
