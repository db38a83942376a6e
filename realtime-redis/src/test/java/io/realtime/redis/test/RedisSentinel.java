package io.realtime.redis.test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;

import org.springframework.data.redis.connection.RedisSentinelConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.awaitility.Awaitility.await;

/**
 * A real Redis Sentinel for tests, watching a {@link RedisServer} of its own as master
 * {@value #MASTER}: the way an application finds its Redis through Sentinel.
 */
public final class RedisSentinel implements AutoCloseable {

	/** The name the sentinel knows the master by. */
	public static final String MASTER = "mymaster";

	private final RedisServer master;

	private final int port;

	private final Path config;

	private @Nullable Process process;

	private RedisSentinel(RedisServer master, int port, Path config) {
		this.master = master;
		this.port = port;
		this.config = config;
	}

	/**
	 * Start a master and a sentinel watching it.
	 * @return the running sentinel
	 */
	public static RedisSentinel start() {
		RedisServer master = RedisServer.start();
		int port = RedisServer.freePort();
		try {
			// a sentinel rewrites its configuration file, so it needs one of its own
			Path config = Files.createTempFile("sentinel-", ".conf");
			Files.writeString(config, "port " + port + "\nbind 127.0.0.1\nsentinel monitor " + MASTER + " 127.0.0.1 "
					+ master.port() + " 1\n");
			RedisSentinel sentinel = new RedisSentinel(master, port, config);
			sentinel.process = new ProcessBuilder(master.executable(), config.toString(), "--sentinel")
				.redirectErrorStream(true)
				.redirectOutput(ProcessBuilder.Redirect.DISCARD)
				.start();
			await().atMost(Duration.ofSeconds(20))
				.pollInterval(Duration.ofMillis(50))
				.ignoreExceptions()
				.until(sentinel::knowsMaster);
			return sentinel;
		}
		catch (IOException ex) {
			master.close();
			throw new IllegalStateException("Cannot start a Redis Sentinel", ex);
		}
	}

	/**
	 * A connection factory that finds the master through this sentinel, started.
	 * @return the factory; destroy it when done
	 */
	public LettuceConnectionFactory connectionFactory() {
		LettuceConnectionFactory factory = new LettuceConnectionFactory(
				new RedisSentinelConfiguration().master(MASTER).sentinel("127.0.0.1", this.port));
		factory.afterPropertiesSet();
		factory.start();
		return factory;
	}

	@Override
	public void close() {
		Process process = this.process;
		if (process != null) {
			process.destroyForcibly();
			try {
				process.waitFor(10, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
		this.master.close();
		try {
			Files.deleteIfExists(this.config);
		}
		catch (IOException ex) {
			// a temporary file left behind
		}
	}

	private boolean knowsMaster() throws IOException {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress("127.0.0.1", this.port), 500);
			socket.setSoTimeout(500);
			OutputStream out = socket.getOutputStream();
			out.write(("SENTINEL get-master-addr-by-name " + MASTER + "\r\n").getBytes(StandardCharsets.US_ASCII));
			out.flush();
			byte[] reply = new byte[256];
			int read = socket.getInputStream().read(reply);
			return read > 0 && new String(reply, 0, read, StandardCharsets.US_ASCII)
				.contains(Integer.toString(this.master.port()));
		}
	}

}
