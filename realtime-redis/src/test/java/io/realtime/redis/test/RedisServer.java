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
import java.util.List;
import java.util.Locale;

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

	private @Nullable Process process;

	private RedisServer(String executable, int port) {
		this.executable = executable;
		this.port = port;
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
		RedisServer server = new RedisServer(findExecutable(), freePort());
		server.restart();
		return server;
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
			this.process = new ProcessBuilder(this.executable, "--port", Integer.toString(this.port), "--bind",
					"127.0.0.1", "--save", "", "--appendonly", "no", "--protected-mode", "no")
				.redirectErrorStream(true)
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
