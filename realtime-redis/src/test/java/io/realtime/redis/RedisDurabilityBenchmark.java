package io.realtime.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

import io.realtime.redis.test.RedisServer;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * What {@code minReplicas} costs: publishes per second on a master with one replica (both local),
 * without and with waiting for the replica. A plain main class, not a test: run it with
 * {@code ./mvnw -q -pl realtime-redis test-compile exec:java -Dexec.mainClass=io.realtime.redis.RedisDurabilityBenchmark}
 * (arguments: {@code -Dexec.args="seconds=3"}).
 */
public final class RedisDurabilityBenchmark {

	public static void main(String[] args) throws Exception {
		int seconds = 3;
		for (String arg : args) {
			if (arg.startsWith("seconds=")) {
				seconds = Integer.parseInt(arg.substring("seconds=".length()));
			}
		}
		try (RedisServer master = RedisServer.start(); RedisServer replica = master.startReplica()) {
			LettuceConnectionFactory connections = master.connectionFactory();
			System.out.printf(Locale.ROOT, "redis-server %s, one local replica; %d cores; %d s per run%n%n",
					master.executable(), Runtime.getRuntime().availableProcessors(), seconds);
			System.out.println("| min-replicas | publishing threads | publishes/s |");
			System.out.println("| ---: | ---: | ---: |");
			for (int threads : new int[] { 1, 8 }) {
				for (int minReplicas : new int[] { 0, 1 }) {
					RedisBroker broker = new RedisBroker(connections, 1000, Duration.ofMinutes(5));
					broker.setNamespace("durability");
					broker.setMinReplicas(minReplicas);
					broker.start();
					run(broker, threads, 1); // warm-up
					double rate = run(broker, threads, seconds);
					System.out.printf(Locale.ROOT, "| %d | %d | %,.0f |%n", minReplicas, threads, rate);
					broker.close();
				}
			}
			connections.destroy();
		}
	}

	private static double run(RedisBroker broker, int threads, int seconds) throws InterruptedException {
		AtomicLong published = new AtomicLong();
		long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
		List<Thread> publishers = new ArrayList<>();
		for (int i = 0; i < threads; i++) {
			String topic = "durability-" + i;
			Thread thread = new Thread(() -> {
				while (System.nanoTime() < end) {
					broker.publish(topic, "\"" + "x".repeat(64) + "\"");
					published.incrementAndGet();
				}
			});
			thread.start();
			publishers.add(thread);
		}
		for (Thread thread : publishers) {
			thread.join();
		}
		return published.get() / (double) seconds;
	}

}
