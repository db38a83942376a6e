package io.realtime.redis.test;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.sentinel.api.StatefulRedisSentinelConnection;
import org.jspecify.annotations.Nullable;

import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.awaitility.Awaitility.await;

/**
 * A real {@code redis-server} for tests, on a free port, keeping nothing on disk. The binary is
 * the one on the {@code PATH} when there is one, otherwise the one packaged in the
 * {@code embedded-redis} jar, so the build passes on a machine without Redis (the system
 * property {@code realtime.test.redis-server} names another binary, or {@code packaged}). Tests never skip
 * for want of Redis: when neither can be started, they fail.
 */
public final class RedisServer implements AutoCloseable {

	private static @Nullable RedisServer shared;

	private final String executable;

	private final int port;

	private final List<String> arguments;

	private @Nullable Process process;

	private @Nullable RedisClient client;

	private @Nullable StatefulRedisConnection<String, String> admin;

	/** The configuration file of a Sentinel, which rewrites it. */
	private final @Nullable Path sentinelConfig;

	private RedisServer(String executable, int port, List<String> arguments) {
		this(executable, port, arguments, null);
	}

	private RedisServer(String executable, int port, List<String> arguments, @Nullable Path sentinelConfig) {
		this.executable = executable;
		this.port = port;
		this.arguments = arguments;
		this.sentinelConfig = sentinelConfig;
	}

	/**
	 * The server shared by the tests of this JVM, started on first use.
	 * @return the running server
	 */
	public static synchronized RedisServer shared() {
		if (shared == null) {
			RedisServer server = start();
			Runtime.getRuntime().addShutdownHook(new Thread(server::close, "redis-server-stop"));
			shared = server;
		}
		return shared;
	}

	/**
	 * Start a server of its own, for a test that stops and restarts it.
	 * @return the running server
	 */
	public static RedisServer start() {
		RedisServer server = new RedisServer(findExecutable(), freePort(), List.of());
		server.restart();
		return server;
	}

	/**
	 * Start a replica of this server ({@code --replicaof}), keeping nothing on disk either.
	 * @return the replica, in sync with this server
	 */
	public RedisServer startReplica() {
		RedisServer replica = new RedisServer(this.executable, freePort(),
				List.of("--replicaof", "127.0.0.1", Integer.toString(this.port)));
		replica.restart();
		await().atMost(Duration.ofSeconds(20))
			.pollInterval(Duration.ofMillis(20))
			.until(() -> replica.info("replication").contains("master_link_status:up"));
		return replica;
	}

	/**
	 * Start a Sentinel that monitors this server as a master of its own, with a quorum of one.
	 * @param name the name Sentinel knows the master by
	 * @param downAfter how long the master must not answer before Sentinel fails it over
	 * @return the Sentinel, once it knows this server's replicas
	 */
	public RedisServer startSentinel(String name, Duration downAfter) {
		Path config;
		try {
			config = Files.createTempFile("sentinel-", ".conf");
			config.toFile().deleteOnExit();
			Files.writeString(config, "sentinel monitor " + name + " 127.0.0.1 " + this.port + " 1\n"
					+ "sentinel down-after-milliseconds " + name + " " + downAfter.toMillis() + "\n"
					+ "sentinel failover-timeout " + name + " 2000\n");
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
		RedisServer sentinel = new RedisServer(this.executable, freePort(), List.of(), config);
		sentinel.restart();
		int replicas = (int) info("replication").lines().filter((line) -> line.matches("slave\\d+:.*")).count();
		RedisClient client = RedisClient.create();
		try (StatefulRedisSentinelConnection<String, String> connection = client
			.connectSentinel(RedisURI.create("127.0.0.1", sentinel.port))) {
			await().atMost(Duration.ofSeconds(20))
				.pollInterval(Duration.ofMillis(20))
				.until(() -> connection.sync().replicas(name).size() == replicas);
		}
		finally {
			client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
		}
		return sentinel;
	}

	/**
	 * Commands to this server, on one connection kept until the server is killed.
	 * @return the commands
	 */
	public synchronized RedisCommands<String, String> commands() {
		if (this.admin == null) {
			RedisClient client = RedisClient.create(RedisURI.create("127.0.0.1", this.port));
			this.client = client;
			this.admin = client.connect();
		}
		return this.admin.sync();
	}

	/**
	 * A section of {@code INFO}.
	 * @param section such as {@code replication}
	 * @return its text
	 */
	public String info(String section) {
		return commands().info(section);
	}

	/** Stop the process where it stands ({@code SIGSTOP}): it reads and answers nothing until resumed. */
	public void pause() {
		signal("-STOP");
	}

	/** Let a paused process go on ({@code SIGCONT}). */
	public void resume() {
		signal("-CONT");
	}

	private void signal(String signal) {
		Process process = this.process;
		if (process == null) {
			throw new IllegalStateException("redis-server is not running");
		}
		try {
			int status = new ProcessBuilder("kill", signal, Long.toString(process.pid())).start().waitFor();
			if (status != 0) {
				throw new IllegalStateException("kill " + signal + " failed: " + status);
			}
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	public int port() {
		return this.port;
	}

	/** Where the binary came from, for the test log. */
	public String executable() {
		return this.executable;
	}

	/**
	 * A connection factory for this server, started.
	 * @return the factory; destroy it when done
	 */
	public LettuceConnectionFactory connectionFactory() {
		LettuceConnectionFactory factory = new LettuceConnectionFactory(
				new RedisStandaloneConfiguration("127.0.0.1", this.port));
		factory.afterPropertiesSet();
		factory.start();
		return factory;
	}

	/** Start the server (again, on the same port), empty. */
	public synchronized void restart() {
		if (this.process != null && this.process.isAlive()) {
			return;
		}
		try {
			List<String> command = new ArrayList<>(List.of(this.executable));
			if (this.sentinelConfig != null) {
				command.addAll(List.of(this.sentinelConfig.toString(), "--sentinel"));
			}
			command.addAll(List.of("--port", Integer.toString(this.port), "--bind", "127.0.0.1", "--protected-mode", "no"));
			// a replica stores its full sync as a file even without persistence: not in the work tree
			command.addAll(List.of("--dir", Files.createTempDirectory("redis-").toString()));
			if (this.sentinelConfig == null) {
				command.addAll(List.of("--save", "", "--appendonly", "no"));
			}
			command.addAll(this.arguments);
			this.process = new ProcessBuilder(command).redirectErrorStream(true)
				.redirectOutput(ProcessBuilder.Redirect.DISCARD)
				.start();
		}
		catch (IOException ex) {
			throw new IllegalStateException("Cannot start " + this.executable, ex);
		}
		await().atMost(Duration.ofSeconds(20))
			.pollInterval(Duration.ofMillis(20))
			.ignoreExceptions()
			.until(this::answers);
	}

	/** Kill the server, as a crash would. */
	public synchronized void kill() {
		closeCommands();
		Process process = this.process;
		if (process != null) {
			process.destroyForcibly();
			try {
				process.waitFor();
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			this.process = null;
		}
	}

	@Override
	public void close() {
		kill();
	}

	private void closeCommands() {
		if (this.admin != null) {
			this.admin.close();
			this.admin = null;
		}
		if (this.client != null) {
			this.client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
			this.client = null;
		}
	}

	private boolean answers() throws IOException {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress("127.0.0.1", this.port), 500);
			socket.setSoTimeout(500);
			OutputStream out = socket.getOutputStream();
			out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
			out.flush();
			byte[] reply = new byte[7];
			int read = socket.getInputStream().read(reply);
			return read > 0 && new String(reply, 0, read, StandardCharsets.US_ASCII).startsWith("+PONG");
		}
	}

	static int freePort() {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	static String findExecutable() {
		// -Drealtime.test.redis-server=packaged tries the packaged binary on a machine with Redis
		String chosen = System.getProperty("realtime.test.redis-server", "");
		if (!chosen.isEmpty()) {
			return chosen.equals("packaged") ? packaged() : chosen;
		}
		String path = System.getenv("PATH");
		if (path != null) {
			for (String directory : path.split(File.pathSeparator)) {
				Path candidate = Path.of(directory, "redis-server");
				if (Files.isExecutable(candidate)) {
					return candidate.toString();
				}
			}
		}
		return packaged();
	}

	/** Extract the binary the embedded-redis jar carries for this platform. */
	private static String packaged() {
		String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
		String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
		List<String> names = os.contains("mac")
				? List.of(arch.contains("aarch64") ? "redis-server-6.2.6-v5-darwin-arm64" : "redis-server-6.2.6-v5-darwin-amd64")
				: List.of(arch.contains("aarch64") ? "redis-server-6.2.7-linux-arm64" : "redis-server-6.2.6-v5-linux-amd64");
		for (String name : names) {
			try (InputStream binary = RedisServer.class.getResourceAsStream("/" + name)) {
				if (binary != null) {
					Path target = Files.createTempFile("redis-server-", "");
					Files.copy(binary, target, StandardCopyOption.REPLACE_EXISTING);
					target.toFile().setExecutable(true);
					target.toFile().deleteOnExit();
					return target.toString();
				}
			}
			catch (IOException ex) {
				throw new IllegalStateException("Cannot extract " + name, ex);
			}
		}
		throw new IllegalStateException("No redis-server on the PATH and none packaged for " + os + "/" + arch
				+ ": install Redis (Debian: apt-get install redis-server)");
	}

}
