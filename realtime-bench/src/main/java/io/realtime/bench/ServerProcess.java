package io.realtime.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A server under test in a process of its own, started with the same Tomcat settings for every
 * Java server, on the cores it is given, writing its GC pauses to a log, and stopped when the
 * target's scenarios are done.
 */
final class ServerProcess implements AutoCloseable {

	/** Heartbeats every 5 s on every server, so idle CPU is measured with them running. */
	static final int HEARTBEAT_MILLIS = 5_000;

	/** Applied to every Java server: what 15,000 connections in one JVM need. */
	static final List<String> TOMCAT = List.of("--server.tomcat.max-connections=20000",
			"--server.tomcat.accept-count=2000",
			"--server.tomcat.max-keep-alive-requests=-1");

	/**
	 * Ours on top: its own connection limit, no per-client limits (every simulated client comes
	 * from one address) and the bench's heartbeat interval.
	 */
	static final List<String> REALTIME = List.of("--realtime.max-connections=20000", "--realtime.limits.enabled=false",
			"--realtime.sse.heartbeat=" + HEARTBEAT_MILLIS + "ms",
			"--realtime.websocket.ping-interval=" + HEARTBEAT_MILLIS + "ms",
			"--realtime.long-poll.timeout=" + HEARTBEAT_MILLIS + "ms");

	private final Process process;

	final int port;

	final GcLog gcLog;

	private ServerProcess(Process process, int port, GcLog gcLog) {
		this.process = process;
		this.port = port;
		this.gcLog = gcLog;
	}

	long pid() {
		return this.process.pid();
	}

	static ServerProcess start(Target.Server server, Path logs, String heap, String java, List<String> jvmOptions,
			GcLog gcLog, CpuPlacement cpus) throws IOException, InterruptedException {
		int port = freePort();
		List<String> command = new ArrayList<>();
		ProcessBuilder builder = new ProcessBuilder();
		Files.deleteIfExists(gcLog.file());
		if (server == Target.Server.SOCKETIO) {
			Path directory = socketIoDirectory();
			command.addAll(List.of("node", "--expose-gc", "server.js", Integer.toString(port)));
			builder.directory(directory.toFile());
			builder.environment().put("BENCH_HEARTBEAT", Integer.toString(HEARTBEAT_MILLIS));
			builder.environment().put("BENCH_GC_LOG", gcLog.file().toAbsolutePath().toString());
		}
		else {
			command.add(java);
			// heap committed up front, so RSS grows with what connections touch, not with heap sizing
			command.addAll(List.of("-Xms" + heap, "-Xmx" + heap, "-Djava.awt.headless=true",
					"-Dbench.heartbeat=" + HEARTBEAT_MILLIS, gcLog.jvmOption()));
			if (jvmOptions.stream().noneMatch((option) -> option.matches("-XX:\\+Use\\w+GC"))) {
				command.add("-XX:+UseG1GC");
			}
			command.addAll(jvmOptions);
			command.addAll(List.of("-cp", System.getProperty("java.class.path"), server.mainClass,
					"--server.port=" + port, "--server.address=127.0.0.1", "--spring.main.banner-mode=off",
					"--logging.level.root=WARN", "--spring.threads.virtual.enabled=false"));
			command.addAll(TOMCAT);
			if (server == Target.Server.OURS || server == Target.Server.OURS_DETACHED
					|| server == Target.Server.OURS_PORTABLE) {
				command.addAll(REALTIME);
			}
			if (server == Target.Server.OURS_DETACHED) {
				command.add("--realtime.long-poll.detach=true");
			}
			if (server == Target.Server.OURS_PORTABLE) {
				command.add("--realtime.fast-paths.enabled=false");
			}
		}
		Files.createDirectories(logs);
		Path log = logs.resolve(server.name().toLowerCase() + ".log");
		builder.command(cpus.server(command));
		builder.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
		ServerProcess started = new ServerProcess(builder.start(), port, gcLog);
		started.awaitUp(log);
		return started;
	}

	private void awaitUp(Path log) throws IOException, InterruptedException {
		HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
		while (System.nanoTime() < deadline) {
			if (!this.process.isAlive()) {
				throw new IllegalStateException("server exited; see " + log);
			}
			try {
				HttpResponse<String> response = http.send(
						HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + "/bench/ping"))
							.timeout(Duration.ofSeconds(2))
							.build(),
						HttpResponse.BodyHandlers.ofString());
				if (response.statusCode() == 200) {
					return;
				}
			}
			catch (IOException ex) {
				// not listening yet
			}
			TimeUnit.MILLISECONDS.sleep(200);
		}
		throw new IllegalStateException("server did not come up; see " + log);
	}

	static Path socketIoDirectory() {
		for (Path candidate : List.of(Path.of("socketio"), Path.of("realtime-bench/socketio"))) {
			if (Files.exists(candidate.resolve("server.js"))) {
				return candidate.toAbsolutePath();
			}
		}
		throw new IllegalStateException("realtime-bench/socketio not found from " + Path.of("").toAbsolutePath());
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

	@Override
	public void close() throws InterruptedException {
		this.process.destroy();
		if (!this.process.waitFor(30, TimeUnit.SECONDS)) {
			this.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
		}
	}

}
