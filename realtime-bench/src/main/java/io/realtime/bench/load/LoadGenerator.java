package io.realtime.bench.load;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.HdrHistogram.Histogram;
import tools.jackson.databind.json.JsonMapper;

/**
 * The load generator: one process, a few selector threads, thousands of connections. Runs one
 * scenario against one server and prints its result as a {@code RESULT {json}} line.
 *
 * <pre>
 * idle:    connect N, measure the server's heap and RSS per connection and its CPU while idle
 * fan-out: connect N over K topics, then publish at stepped rates and in one burst, checking
 *          that every subscriber gets every message exactly once, in order
 * </pre>
 *
 * Arguments are {@code key=value}: protocol, port, pid, scenario (idle|fanout), connections,
 * topics, rates (messages per second, comma separated), warmup-seconds, step-seconds, burst
 * (messages per topic), idle-seconds, settle (collect the server's heap after connecting, the generator's before each step), threads, local (the
 * first three octets of the local addresses), window
 * (connections opening at once), trace (a file for the fastest and slowest delivery of every
 * sequence number, see {@link DeliveryTrace}).
 *
 * @since 0.1.0
 */
public final class LoadGenerator {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final int PER_ADDRESS = 5_000;

	private final Map<String, String> options;

	private final Protocol protocol;

	private final Endpoint endpoint;

	/** Collect the server's heap after connecting and the generator's before each step. */
	private final boolean settle;

	private final HttpClient http = HttpClient.newBuilder()
		.version(HttpClient.Version.HTTP_1_1)
		.connectTimeout(Duration.ofSeconds(10))
		.build();

	private final List<IoLoop> loops = new ArrayList<>();

	private final List<ClientConnection> connections = new ArrayList<>();

	private final AtomicInteger ready = new AtomicInteger();

	private final AtomicInteger failed = new AtomicInteger();

	private LoadGenerator(Map<String, String> options) {
		this.options = options;
		this.protocol = Protocol.valueOf(option("protocol", null));
		this.settle = Boolean.parseBoolean(option("settle", "false"));
		this.endpoint = new Endpoint(new InetSocketAddress("127.0.0.1", Integer.parseInt(option("port", null))));
	}

	public static void main(String[] args) throws Exception {
		Map<String, String> options = new LinkedHashMap<>();
		for (String arg : args) {
			int eq = arg.indexOf('=');
			options.put(arg.substring(0, eq), arg.substring(eq + 1));
		}
		Map<String, Object> result = new LoadGenerator(options).run();
		System.out.println("RESULT " + JSON.writeValueAsString(result));
		System.out.flush();
		System.exit(0);
	}

	private String option(String name, String fallback) {
		String value = this.options.getOrDefault(name, fallback);
		if (value == null) {
			throw new IllegalArgumentException("missing option " + name);
		}
		return value;
	}

	private int intOption(String name, int fallback) {
		return Integer.parseInt(option(name, Integer.toString(fallback)));
	}

	private Map<String, Object> run() throws Exception {
		int threads = intOption("threads", 1);
		for (int i = 0; i < threads; i++) {
			IoLoop loop = new IoLoop(i);
			if (this.options.containsKey("trace")) {
				loop.trace = new DeliveryTrace();
			}
			loop.start();
			this.loops.add(loop);
		}
		Map<String, Object> result = new LinkedHashMap<>();
		result.put("protocol", this.protocol.name());
		String scenario = option("scenario", "fanout");
		try {
			if (scenario.equals("idle")) {
				idle(result);
			}
			else {
				fanOut(result);
			}
		}
		finally {
			this.loops.forEach(IoLoop::shutdown);
		}
		if (this.options.containsKey("trace")) {
			for (IoLoop loop : this.loops) {
				loop.join(5_000);
			}
			DeliveryTrace.write(this.loops.stream().map((loop) -> loop.trace).toList(), Path.of(option("trace", null)));
		}
		return result;
	}

	// --- scenarios

	private void idle(Map<String, Object> result) throws Exception {
		long pid = Long.parseLong(option("pid", null));
		int count = intOption("connections", 100);
		// connections of an earlier scenario may still be open until a heartbeat finds them gone:
		// wait for the heap to settle before taking the baseline
		long open = openConnections();
		for (int i = 0; i < 60 && open > 0; i++) {
			TimeUnit.SECONDS.sleep(1);
			open = openConnections();
		}
		long heapBefore = heap();
		int stable = 0;
		// servers that cannot tell their open connections get a longer look at their heap
		int needed = (open < 0) ? 6 : 2;
		for (int i = 0; i < 20 && stable < needed; i++) {
			TimeUnit.SECONDS.sleep(1);
			long heap = heap();
			stable = (heap < heapBefore - heapBefore / 50) ? 0 : stable + 1;
			heapBefore = Math.min(heapBefore, heap);
		}
		long rssBefore = rss(pid);
		long openStart = System.nanoTime();
		connect(count, 1);
		result.put("connectSeconds", (System.nanoTime() - openStart) / 1e9);
		long heapAfter = heap();
		long rssAfter = rss(pid);
		int seconds = intOption("idle-seconds", 10);
		long cpuBefore = cpuTicks(pid);
		long wallBefore = System.nanoTime();
		TimeUnit.SECONDS.sleep(seconds);
		double cpu = (cpuTicks(pid) - cpuBefore) / 100.0 / ((System.nanoTime() - wallBefore) / 1e9) * 100;
		result.put("connections", count);
		result.put("ready", this.ready.get());
		result.put("heapBefore", heapBefore);
		result.put("heapBytes", heapAfter - heapBefore);
		result.put("heapPerConnection", (double) (heapAfter - heapBefore) / count);
		result.put("rssBytes", rssAfter - rssBefore);
		result.put("rssPerConnection", (double) (rssAfter - rssBefore) / count);
		result.put("idleCpuPercent", cpu);
		result.put("idleSeconds", seconds);
		result.put("closed", closed());
		result.put("failures", failures());
	}

	private void fanOut(Map<String, Object> result) throws Exception {
		int count = intOption("connections", 100);
		int topics = intOption("topics", 1);
		double stepSeconds = Double.parseDouble(option("step-seconds", "3"));
		long openStart = System.nanoTime();
		connect(count, topics);
		result.put("connections", count);
		result.put("topics", topics);
		result.put("connectSeconds", (System.nanoTime() - openStart) / 1e9);
		if (this.settle) {
			// the state of connections all made in the same second is collected here, at connect
			// time, not by the first young collection of a measured step: a server whose clients
			// arrive over minutes pays for it in small parts
			heap();
		}
		int subscribersPerTopic = count / topics;
		List<Map<String, Object>> steps = new ArrayList<>();
		long from = 0;
		boolean complete = true;
		String[] rates = option("rates", "").split(",");
		double warmup = Double.parseDouble(option("warmup-seconds", "2"));
		if (warmup > 0 && !rates[0].isBlank()) {
			// JIT compilation and pool growth happen here, not in a measured step: at the highest
			// rate, since a JVM compiles a method with C2 after about 15,000 calls, and one still
			// compiling its publish path in a step costs a few ms on the server's one core
			double rate = Arrays.stream(rates).filter((r) -> !r.isBlank()).mapToDouble(Double::parseDouble).max().getAsDouble();
			int perTopic = (int) Math.max(1, Math.round(rate * warmup / topics));
			Map<String, Object> step = step(rate, topics, perTopic, from, subscribersPerTopic);
			result.put("warmup", step);
			from += perTopic;
			complete = (boolean) step.get("complete");
		}
		for (String rateText : rates) {
			if (rateText.isBlank() || !complete) {
				continue;
			}
			double rate = Double.parseDouble(rateText);
			int perTopic = (int) Math.max(1, Math.round(rate * stepSeconds / topics));
			Map<String, Object> step = step(rate, topics, perTopic, from, subscribersPerTopic);
			steps.add(step);
			from += perTopic;
			complete = (boolean) step.get("complete");
		}
		long lateDeliveries = 0;
		if (!complete) {
			// a step fell behind: give stragglers time, so lost means never delivered, not late
			long missingAtDeadline = missing(from);
			long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
			while (!allReached(from) && System.nanoTime() < deadline) {
				TimeUnit.MILLISECONDS.sleep(10);
			}
			lateDeliveries = missingAtDeadline - missing(from);
		}
		result.put("lateDeliveries", lateDeliveries);
		result.put("steps", steps);
		int burst = intOption("burst", 0);
		boolean settled = allReached(from);
		if (burst > 0 && settled) {
			// the peak, measured even when a step fell behind: that step only says where latency went
			Map<String, Object> step = step(0, topics, burst, from, subscribersPerTopic);
			result.put("burst", step);
			from += burst;
			if (!(boolean) step.get("complete")) {
				long missingAtDeadline = missing(from);
				long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
				while (!allReached(from) && System.nanoTime() < deadline) {
					TimeUnit.MILLISECONDS.sleep(10);
				}
				result.put("lateDeliveries", lateDeliveries + missingAtDeadline - missing(from));
				complete = false;
			}
		}
		result.put("published", from * topics);
		result.put("expectedDeliveries", from * count);
		result.put("received", sum((c) -> c.received));
		result.put("lost", missing(from));
		result.put("reordered", sum((c) -> c.reordered));
		result.put("duplicated", sum((c) -> c.duplicated));
		result.put("closed", closed());
		result.put("failures", failures());
		result.put("complete", complete);
	}

	/** Publish {@code perTopic} messages on every topic at a rate and wait for all of them. */
	private Map<String, Object> step(double rate, int topics, int perTopic, long from, int subscribersPerTopic)
			throws Exception {
		int messages = perTopic * topics;
		long expectedNext = from + perTopic;
		if (this.settle) {
			// the generator's own collection, before the step rather than in it
			System.gc();
		}
		this.loops.forEach(IoLoop::takeLatency);
		long receivedBefore = sum((c) -> c.received);
		long duplicatedBefore = sum((c) -> c.duplicated);
		long startMillis = System.currentTimeMillis();
		long start = System.nanoTime();
		publish(topics, messages, rate, from);
		double publishSeconds = (rate > 0) ? messages / rate : 0;
		long deadline = start + TimeUnit.MILLISECONDS.toNanos((long) (publishSeconds * 2000) + 15_000);
		boolean complete = false;
		while (System.nanoTime() < deadline) {
			if (allReached(expectedNext)) {
				complete = true;
				break;
			}
			TimeUnit.MILLISECONDS.sleep(2);
		}
		long last = this.loops.stream().mapToLong((loop) -> loop.lastDeliveryNanos).max().orElse(start);
		Histogram latency = new Histogram(3);
		this.loops.forEach((loop) -> latency.add(loop.takeLatency()));
		long delivered = sum((c) -> c.received) - receivedBefore;
		double seconds = Math.max(1e-6, (last - start) / 1e9);
		Map<String, Object> step = new LinkedHashMap<>();
		step.put("rate", rate);
		step.put("messages", messages);
		step.put("offeredDeliveriesPerSecond", rate * subscribersPerTopic);
		step.put("delivered", delivered);
		step.put("expected", (long) messages * subscribersPerTopic);
		step.put("seconds", seconds);
		step.put("deliveriesPerSecond", delivered / seconds);
		step.put("p50Millis", latency.getValueAtPercentile(50) / 1000.0);
		step.put("p99Millis", latency.getValueAtPercentile(99) / 1000.0);
		step.put("p999Millis", latency.getValueAtPercentile(99.9) / 1000.0);
		step.put("maxMillis", latency.getMaxValue() / 1000.0);
		step.put("missing", missing(expectedNext));
		step.put("duplicated", sum((c) -> c.duplicated) - duplicatedBefore);
		step.put("complete", complete);
		// wall clock, to find the server's GC pauses in the step: from the publish request to the last delivery
		step.put("startEpochMillis", startMillis);
		step.put("endEpochMillis", startMillis + Math.max(0, last - start) / 1_000_000);
		return step;
	}

	private boolean allReached(long expectedNext) {
		for (ClientConnection connection : this.connections) {
			if (connection.next < expectedNext && !connection.closed) {
				return false;
			}
		}
		return true;
	}

	private long missing(long expectedNext) {
		long missing = 0;
		for (ClientConnection connection : this.connections) {
			missing += connection.missing(expectedNext);
		}
		return missing;
	}

	// --- connections

	private void connect(int count, int topics) throws Exception {
		String local = option("local", "127.0.1");
		int window = intOption("window", 200);
		long subscribedBefore = this.protocol.serverConfirms() ? subscribed() : 0;
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(intOption("connect-timeout", 180));
		for (int i = 0; i < count; i++) {
			while (i - this.ready.get() - failedCount() >= window) {
				if (System.nanoTime() > deadline) {
					throw new IllegalStateException("connections did not open in time: " + this.ready.get());
				}
				TimeUnit.MILLISECONDS.sleep(1);
			}
			IoLoop loop = this.loops.get(i % this.loops.size());
			ClientConnection connection = this.protocol.connect(loop, this.endpoint, i % topics);
			this.connections.add(connection);
			InetSocketAddress address = new InetSocketAddress(local + "." + (2 + i / PER_ADDRESS), 0);
			loop.execute(() -> connection.start(address, this.ready::incrementAndGet, this.failed::incrementAndGet));
		}
		while (this.ready.get() + failedCount() < count) {
			if (System.nanoTime() > deadline) {
				throw new IllegalStateException("connections did not open in time: " + this.ready.get());
			}
			TimeUnit.MILLISECONDS.sleep(5);
		}
		if (this.protocol.serverConfirms()) {
			while (subscribed() < subscribedBefore + this.ready.get()) {
				if (System.nanoTime() > deadline) {
					throw new IllegalStateException("the server did not register every subscription in time");
				}
				TimeUnit.MILLISECONDS.sleep(10);
			}
		}
	}

	private int failedCount() {
		return this.failed.get();
	}

	private long closed() {
		return this.connections.stream().filter((c) -> c.closed).count();
	}

	private Map<String, Long> failures() {
		Map<String, Long> failures = new LinkedHashMap<>();
		for (ClientConnection connection : this.connections) {
			if (connection.failure != null) {
				failures.merge(connection.failure, 1L, Long::sum);
			}
		}
		return failures;
	}

	private long sum(java.util.function.ToLongFunction<ClientConnection> value) {
		long sum = 0;
		for (ClientConnection connection : this.connections) {
			sum += value.applyAsLong(connection);
		}
		return sum;
	}

	// --- the server's control endpoints and /proc

	private void publish(int topics, int messages, double rate, long from) throws Exception {
		String uri = base() + "/bench/publish?topics=" + topics + "&n=" + messages + "&rate=" + rate + "&from=" + from;
		HttpRequest request = HttpRequest.newBuilder(URI.create(uri)).POST(HttpRequest.BodyPublishers.noBody()).build();
		HttpResponse<String> response;
		try {
			response = this.http.send(request, HttpResponse.BodyHandlers.ofString());
		}
		catch (IOException ex) {
			// a pooled control connection the server has closed meanwhile: once more, on a new one
			response = this.http.send(request, HttpResponse.BodyHandlers.ofString());
		}
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
		// 409: the previous step's publisher thread has sent its last message but not yet ended
		while (response.statusCode() == 409 && System.nanoTime() < deadline) {
			TimeUnit.MILLISECONDS.sleep(5);
			response = this.http.send(request, HttpResponse.BodyHandlers.ofString());
		}
		if (response.statusCode() != 202) {
			throw new IllegalStateException("publish answered " + response.statusCode() + " " + response.body());
		}
	}

	private long heap() throws Exception {
		String body = get("/bench/heap");
		return JSON.readTree(body).get("heap").asLong();
	}

	/** Connections the server still holds, or -1 when it does not tell. */
	private long openConnections() throws Exception {
		try {
			return Long.parseLong(get("/bench/connections").trim());
		}
		catch (NumberFormatException ex) {
			return -1;
		}
	}

	private long subscribed() throws Exception {
		return Long.parseLong(get("/bench/subscribed").trim());
	}

	private String get(String path) throws IOException, InterruptedException {
		return this.http.send(HttpRequest.newBuilder(URI.create(base() + path)).timeout(Duration.ofMinutes(2)).build(),
				HttpResponse.BodyHandlers.ofString()).body();
	}

	private String base() {
		return "http://" + this.endpoint.hostHeader();
	}

	static long rss(long pid) throws IOException {
		for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
			if (line.startsWith("VmRSS:")) {
				return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
			}
		}
		return -1;
	}

	/** User and system CPU time of a process in clock ticks (1/100 s). */
	static long cpuTicks(long pid) throws IOException {
		String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
		String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
		return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
	}

}
