package io.realtime.redis.test;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.lettuce.core.ClientOptions.DisconnectedBehavior;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import org.jspecify.annotations.Nullable;

import org.springframework.data.redis.connection.RedisClusterConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.awaitility.Awaitility.await;

/**
 * A real Redis Cluster for tests: six {@code redis-server --cluster-enabled yes} processes on
 * free ports (three masters, one replica each), keeping nothing on disk but their cluster
 * configuration in a temporary directory, joined with {@code redis-cli --cluster create}. Needs
 * Redis 7 or newer ({@code redis-server} and {@code redis-cli} on the {@code PATH}, as Debian's
 * {@code redis-server} package brings them): when they cannot be started, tests fail, they
 * never skip.
 */
public final class RedisCluster implements AutoCloseable {

	private static final int NODES = 6;

	private static @Nullable RedisCluster shared;

	private final String cli;

	private final List<Integer> ports = new ArrayList<>();

	private final List<Process> processes = new ArrayList<>();

	private final Path directory;

	private RedisCluster(String server, String cli) throws IOException {
		this.cli = cli;
		this.directory = Files.createTempDirectory("redis-cluster-");
		for (int i = 0; i < NODES; i++) {
			int port = RedisServer.freePort();
			this.ports.add(port);
			this.processes.add(new ProcessBuilder(server, "--port", Integer.toString(port), "--bind", "127.0.0.1",
					"--protected-mode", "no", "--save", "", "--appendonly", "no", "--dir", this.directory.toString(),
					"--cluster-enabled", "yes", "--cluster-config-file", "nodes-" + port + ".conf",
					"--cluster-node-timeout", "2000", "--cluster-replica-validity-factor", "0",
					"--repl-diskless-sync-delay", "0")
				.redirectErrorStream(true)
				.redirectOutput(ProcessBuilder.Redirect.DISCARD)
				.start());
		}
	}

	/**
	 * The cluster shared by the tests of this JVM, started on first use.
	 * @return the running cluster
	 */
	public static synchronized RedisCluster shared() {
		if (shared == null) {
			RedisCluster cluster = start();
			Runtime.getRuntime().addShutdownHook(new Thread(cluster::close, "redis-cluster-stop"));
			shared = cluster;
		}
		return shared;
	}

	/**
	 * Start a cluster of its own.
	 * @return the running cluster, every node reporting {@code cluster_state:ok}
	 */
	public static RedisCluster start() {
		String server = RedisServer.findExecutable();
		String cli = findCli(server);
		RedisCluster cluster;
		try {
			cluster = new RedisCluster(server, cli);
		}
		catch (IOException ex) {
			throw new IllegalStateException("Cannot start " + server, ex);
		}
		try {
			cluster.join();
		}
		catch (RuntimeException ex) {
			cluster.close();
			throw ex;
		}
		return cluster;
	}

	/**
	 * The nodes, as {@code spring.data.redis.cluster.nodes} takes them.
	 * @return {@code host:port} of every node
	 */
	public List<String> nodes() {
		return this.ports.stream().map((port) -> "127.0.0.1:" + port).toList();
	}

	/**
	 * A connection factory for this cluster, started, set up as the Redis starter sets it up:
	 * refreshing its view of the topology periodically too (Lettuce 7 refreshes it when it goes
	 * stale), and refusing commands at once while a node is unreachable.
	 * @return the factory; destroy it when done
	 */
	public LettuceConnectionFactory connectionFactory() {
		ClusterClientOptions options = ClusterClientOptions.builder()
			.disconnectedBehavior(DisconnectedBehavior.REJECT_COMMANDS)
			.topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
				.enablePeriodicRefresh(Duration.ofSeconds(5))
				.build())
			.build();
		LettuceConnectionFactory factory = new LettuceConnectionFactory(new RedisClusterConfiguration(nodes()),
				LettuceClientConfiguration.builder().clientOptions(options).commandTimeout(Duration.ofSeconds(10)).build());
		factory.afterPropertiesSet();
		factory.start();
		return factory;
	}

	/**
	 * Kill a node, as a crash would; its replica takes over after {@code cluster-node-timeout}.
	 * @param port the node's port
	 */
	public synchronized void kill(int port) {
		Process process = this.processes.get(this.ports.indexOf(port));
		process.destroyForcibly();
		try {
			process.waitFor(10, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/**
	 * Move a slot, with its keys, to another master, as {@code redis-cli --cluster reshard} does.
	 * @param slot the slot
	 * @param toPort the port of the master that takes it
	 */
	public void migrate(int slot, int toPort) {
		int fromPort = this.ports.stream()
			.filter((port) -> ownsSlot(port, slot))
			.findFirst()
			.orElseThrow(() -> new IllegalStateException("No master owns slot " + slot));
		String from = cli(fromPort, "CLUSTER", "MYID").trim();
		String to = cli(toPort, "CLUSTER", "MYID").trim();
		String slotText = Integer.toString(slot);
		requireOk(cli(toPort, "CLUSTER", "SETSLOT", slotText, "IMPORTING", from));
		requireOk(cli(fromPort, "CLUSTER", "SETSLOT", slotText, "MIGRATING", to));
		for (String key : cli(fromPort, "CLUSTER", "GETKEYSINSLOT", slotText, "1000").split("\n")) {
			if (!key.isBlank()) {
				requireOk(cli(fromPort, "MIGRATE", "127.0.0.1", Integer.toString(toPort), key.trim(), "0", "5000"));
			}
		}
		for (int port : List.of(toPort, fromPort)) {
			requireOk(cli(port, "CLUSTER", "SETSLOT", slotText, "NODE", to));
		}
	}

	private static void requireOk(String reply) {
		if (!reply.trim().equals("OK")) {
			throw new IllegalStateException("Redis answered " + reply);
		}
	}

	/** Whether a node serves a slot as its master. */
	private boolean ownsSlot(int port, int slot) {
		String role = cli(port, "ROLE");
		if (!role.startsWith("master")) {
			return false;
		}
		String myself = cli(port, "CLUSTER", "MYID").trim();
		for (String line : cli(port, "CLUSTER", "NODES").split("\n")) {
			String[] fields = line.trim().split(" ");
			if (fields.length > 8 && fields[0].equals(myself)) {
				for (int i = 8; i < fields.length; i++) {
					String[] range = fields[i].split("-");
					if (range[0].startsWith("[")) {
						continue;
					}
					int first = Integer.parseInt(range[0]);
					int last = (range.length > 1) ? Integer.parseInt(range[1]) : first;
					if (slot >= first && slot <= last) {
						return true;
					}
				}
			}
		}
		return false;
	}

	/**
	 * The masters that answer and serve slots.
	 * @return their ports
	 */
	public List<Integer> masters() {
		return this.ports.stream().filter(this::servesSlots).toList();
	}

	private boolean servesSlots(int port) {
		if (!cli(port, "ROLE").startsWith("master")) {
			return false;
		}
		String myself = cli(port, "CLUSTER", "MYID").trim();
		return Stream.of(cli(port, "CLUSTER", "NODES").split("\n"))
			.map((line) -> line.trim().split(" "))
			.anyMatch((fields) -> fields.length > 8 && fields[0].equals(myself));
	}

	@Override
	public synchronized void close() {
		for (Process process : this.processes) {
			process.destroyForcibly();
		}
		for (Process process : this.processes) {
			try {
				process.waitFor(10, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
		this.processes.clear();
		try (Stream<Path> files = Files.walk(this.directory)) {
			files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
		}
		catch (IOException ex) {
			// a temporary directory left behind
		}
	}

	private void join() {
		await().atMost(Duration.ofSeconds(20))
			.pollInterval(Duration.ofMillis(50))
			.until(() -> this.ports.stream().allMatch((port) -> cli(port, "PING").startsWith("PONG")));
		List<String> create = new ArrayList<>(List.of(this.cli, "--cluster", "create"));
		create.addAll(nodes());
		create.addAll(List.of("--cluster-replicas", "1", "--cluster-yes"));
		String output = run(create);
		if (!output.contains("[OK] All 16384 slots covered")) {
			throw new IllegalStateException("redis-cli --cluster create failed:\n" + output);
		}
		await().atMost(Duration.ofSeconds(30))
			.pollInterval(Duration.ofMillis(100))
			.until(() -> this.ports.stream().allMatch((port) -> cli(port, "CLUSTER", "INFO").contains("cluster_state:ok")));
		// replicas in sync, ready to take over
		await().atMost(Duration.ofSeconds(30))
			.pollInterval(Duration.ofMillis(100))
			.until(() -> this.ports.stream()
				.map((port) -> cli(port, "INFO", "replication"))
				.allMatch((info) -> info.contains("role:master") || info.contains("master_link_status:up")));
	}

	private String cli(int port, String... command) {
		List<String> line = new ArrayList<>(List.of(this.cli, "-h", "127.0.0.1", "-p", Integer.toString(port)));
		line.addAll(List.of(command));
		return run(line);
	}

	private static String run(List<String> command) {
		try {
			Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
			String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
			if (!process.waitFor(30, TimeUnit.SECONDS)) {
				process.destroyForcibly();
				throw new IllegalStateException(String.join(" ", command) + " did not finish");
			}
			return output;
		}
		catch (IOException ex) {
			throw new IllegalStateException("Cannot run " + String.join(" ", command), ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	/** {@code redis-cli} beside the server, or on the {@code PATH}. */
	private static String findCli(String server) {
		List<Path> candidates = new ArrayList<>();
		Path parent = Path.of(server).getParent();
		if (parent != null) {
			candidates.add(parent.resolve("redis-cli"));
		}
		String path = System.getenv("PATH");
		if (path != null) {
			for (String directory : path.split(File.pathSeparator)) {
				candidates.add(Path.of(directory, "redis-cli"));
			}
		}
		return candidates.stream()
			.filter(Files::isExecutable)
			.findFirst()
			.map(Path::toString)
			.orElseThrow(() -> new IllegalStateException("No redis-cli on the PATH to create a Redis Cluster: "
					+ "install Redis 7 or newer (Debian: apt-get install redis-server)"));
	}

}
