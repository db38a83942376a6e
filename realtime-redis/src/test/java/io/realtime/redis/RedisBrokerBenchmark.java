package io.realtime.redis;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import io.realtime.core.Broker;
import io.realtime.core.InMemoryBroker;
import io.realtime.core.Subscription;
import io.realtime.redis.test.RedisServer;

import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.connection.stream.MapRecord;
import org.springframework.data.redis.connection.stream.ReadOffset;
import org.springframework.data.redis.connection.stream.StreamOffset;
import org.springframework.data.redis.connection.stream.StreamReadOptions;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * Publish-to-delivery latency and throughput of the in-memory broker and the Redis broker, and
 * the two ways instances could learn of new messages: pub/sub notifications (what the broker
 * does) and blocking stream reads ({@code XREAD BLOCK} over every watched stream). A plain main
 * class, not a test: run it with
 * {@code ./mvnw -q -pl realtime-redis test-compile exec:java}
 * (arguments: {@code -Dexec.args="samples=5000 messages=50000 topics=1000 publishers=8"}).
 */
public final class RedisBrokerBenchmark {

	private static final String PAYLOAD_PAD = "\"" + "x".repeat(64) + "\"";

	public static void main(String[] args) throws Exception {
		Map<String, Integer> options = options(args);
		int samples = options.getOrDefault("samples", 5000);
		int messages = options.getOrDefault("messages", 50000);
		int topics = options.getOrDefault("topics", 1000);
		int publishers = options.getOrDefault("publishers", 8);
		try (RedisServer redis = RedisServer.start()) {
			LettuceConnectionFactory connections = redis.connectionFactory();
			System.out.printf(Locale.ROOT,
					"redis-server %s; %d cores, load average %s; %d latency samples; %d messages from %d threads%n%n",
					redis.executable(), Runtime.getRuntime().availableProcessors(), loadAverage(), samples, messages,
					publishers);
			System.out.println("| broker | p50 (µs) | p99 (µs) | throughput (msg/s) |");
			System.out.println("| --- | ---: | ---: | ---: |");
			InMemoryBroker memory = new InMemoryBroker(1000, Duration.ofMinutes(5), Clock.systemUTC());
			row("in-memory", latency(memory, memory, "memory", samples), throughput(memory, memory, "memory", messages, publishers));
			RedisBroker a = started(connections, "bench");
			RedisBroker b = started(connections, "bench");
			row("redis, subscriber on the publishing instance", latency(a, a, "same", samples),
					throughput(a, a, "same", messages, publishers));
			row("redis, subscriber on another instance", latency(a, b, "other", samples),
					throughput(a, b, "other", messages, publishers));

			System.out.println();
			System.out.println("Fan-out between instances, latency only (one subscriber on another instance):");
			System.out.println();
			System.out.println("| mechanism | watched topics | p50 (µs) | p99 (µs) |");
			System.out.println("| --- | ---: | ---: | ---: |");
			List<Subscription> idle = new ArrayList<>();
			for (int watched : new int[] { 1, topics }) {
				for (int i = idle.size(); i < watched - 1; i++) {
					idle.add(b.subscribe("idle-" + i, null, (message) -> {
					}));
				}
				long[] pubsub = latency(a, b, "pubsub-" + watched, samples);
				System.out.printf(Locale.ROOT, "| pub/sub notification, then deliver or read | %d | %s | %s |%n", watched,
						micros(pubsub, 50), micros(pubsub, 99));
				long[] xread = blockingReadLatency(redis.port(), watched, samples);
				System.out.printf(Locale.ROOT, "| XREAD BLOCK on every watched stream | %d | %s | %s |%n", watched,
						micros(xread, 50), micros(xread, 99));
			}
			idle.forEach(Subscription::cancel);
			a.close();
			b.close();
			connections.destroy();
		}
	}

	private static RedisBroker started(LettuceConnectionFactory connections, String namespace) {
		RedisBroker broker = new RedisBroker(connections, 1000, Duration.ofMinutes(5));
		broker.setNamespace(namespace);
		broker.start();
		return broker;
	}

	/** One message at a time, the next once the last arrived: delivery time without queueing. */
	private static long[] latency(Broker publisher, Broker subscriber, String topic, int samples)
			throws InterruptedException {
		int warmup = Math.max(500, samples / 5);
		long[] latencies = new long[warmup + samples];
		Semaphore arrived = new Semaphore(0);
		int[] index = { 0 };
		Subscription subscription = subscriber.subscribe(topic, null, (message) -> {
			long sent = Long.parseLong(message.data().substring(0, message.data().indexOf(',')).substring(1));
			latencies[index[0]++] = System.nanoTime() - sent;
			arrived.release();
		});
		try {
			for (int i = 0; i < latencies.length; i++) {
				publisher.publish(topic, "[" + System.nanoTime() + "," + PAYLOAD_PAD + "]");
				if (!arrived.tryAcquire(10, TimeUnit.SECONDS)) {
					throw new IllegalStateException("message " + i + " did not arrive");
				}
			}
		}
		finally {
			subscription.cancel();
		}
		long[] measured = Arrays.copyOfRange(latencies, warmup, latencies.length);
		Arrays.sort(measured);
		return measured;
	}

	/** Publishing threads as fast as they go, as request threads would; until the subscriber has all. */
	private static long throughput(Broker publisher, Broker subscriber, String topic, int messages, int publishers)
			throws InterruptedException {
		CountDownLatch received = new CountDownLatch(messages / publishers * publishers);
		Subscription subscription = subscriber.subscribe(topic + "-throughput", null,
				(message) -> received.countDown());
		try {
			long start = System.nanoTime();
			List<Thread> threads = new ArrayList<>();
			for (int t = 0; t < publishers; t++) {
				Thread thread = new Thread(() -> {
					for (int i = 0; i < messages / publishers; i++) {
						publisher.publish(topic + "-throughput", PAYLOAD_PAD);
					}
				});
				thread.start();
				threads.add(thread);
			}
			for (Thread thread : threads) {
				thread.join();
			}
			if (!received.await(60, TimeUnit.SECONDS)) {
				throw new IllegalStateException(received.getCount() + " messages did not arrive");
			}
			return (messages / publishers * publishers) * 1_000_000_000L / (System.nanoTime() - start);
		}
		finally {
			subscription.cancel();
		}
	}

	/**
	 * The alternative to pub/sub: one connection per instance blocked in {@code XREAD} over
	 * every stream it watches, handed the latest id of each on every call.
	 */
	@SuppressWarnings("unchecked")
	private static long[] blockingReadLatency(int port, int watched, int samples) throws Exception {
		LettuceConnectionFactory dedicated = new LettuceConnectionFactory(
				new RedisStandaloneConfiguration("127.0.0.1", port));
		dedicated.setShareNativeConnection(false);
		dedicated.afterPropertiesSet();
		dedicated.start();
		StringRedisTemplate redis = new StringRedisTemplate(dedicated);
		int warmup = Math.max(500, samples / 5);
		long[] latencies = new long[warmup + samples];
		Semaphore arrived = new Semaphore(0);
		String measured = "xread:{0}";
		StreamOffset<byte[]>[] offsets = new StreamOffset[watched];
		for (int i = 0; i < watched; i++) {
			String key = "xread:{" + i + "}";
			redis.opsForStream().add(key, Map.of("d", "0"));
			offsets[i] = StreamOffset.create(key.getBytes(), ReadOffset.from(redis.opsForStream()
				.reverseRange(key, org.springframework.data.domain.Range.unbounded(),
						org.springframework.data.redis.connection.Limit.limit().count(1))
				.get(0)
				.getId()));
		}
		Thread reader = new Thread(() -> {
			int index = 0;
			try (RedisConnection connection = dedicated.getConnection()) {
				while (index < latencies.length && !Thread.currentThread().isInterrupted()) {
					List<org.springframework.data.redis.connection.stream.ByteRecord> records = connection.streamCommands()
						.xRead(StreamReadOptions.empty().block(Duration.ofSeconds(2)).count(100), offsets);
					if (records == null) {
						continue;
					}
					for (org.springframework.data.redis.connection.stream.ByteRecord record : records) {
						String key = new String(record.getStream());
						for (int i = 0; i < offsets.length; i++) {
							if (new String(offsets[i].getKey()).equals(key)) {
								offsets[i] = StreamOffset.create(offsets[i].getKey(), ReadOffset.from(record.getId()));
							}
						}
						if (key.equals(measured)) {
							byte[] value = record.getValue().values().iterator().next();
							latencies[index++] = System.nanoTime() - Long.parseLong(new String(value));
							arrived.release();
						}
					}
				}
			}
		}, "xread");
		reader.start();
		for (int i = 0; i < latencies.length; i++) {
			redis.opsForStream().add(MapRecord.create(measured, Map.of("d", Long.toString(System.nanoTime()))));
			if (!arrived.tryAcquire(10, TimeUnit.SECONDS)) {
				throw new IllegalStateException("entry " + i + " was not read");
			}
		}
		reader.join(10_000);
		dedicated.destroy();
		long[] result = Arrays.copyOfRange(latencies, warmup, latencies.length);
		Arrays.sort(result);
		return result;
	}

	private static void row(String name, long[] latencies, long throughput) {
		System.out.printf(Locale.ROOT, "| %s | %s | %s | %,d |%n", name, micros(latencies, 50), micros(latencies, 99),
				throughput);
	}

	private static String micros(long[] sorted, int percentile) {
		int index = (int) Math.min(sorted.length - 1, Math.ceil(percentile / 100.0 * sorted.length) - 1);
		return String.format(Locale.ROOT, "%.0f", sorted[index] / 1000.0);
	}

	private static String loadAverage() {
		try {
			return String.join(" ", Arrays.copyOf(
					java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).split(" "), 3));
		}
		catch (java.io.IOException ex) {
			return "unknown";
		}
	}

	private static Map<String, Integer> options(String[] args) {
		Map<String, Integer> options = new java.util.HashMap<>();
		for (String arg : args) {
			int eq = arg.indexOf('=');
			if (eq > 0) {
				options.put(arg.substring(0, eq), Integer.parseInt(arg.substring(eq + 1)));
			}
		}
		return options;
	}

}
