package io.realtime.bench.server;

import java.lang.management.ManagementFactory;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The harness's control endpoints, the same on every Java server (the Socket.IO server mirrors
 * them): {@code /bench/ping}, {@code /bench/heap} and {@code /bench/publish}.
 *
 * @since 0.1.0
 */
@RestController
@RequestMapping("/bench")
public class BenchControl {

	private static final String[] TOPICS = new String[10_000];

	private final BenchTarget target;

	private final AtomicBoolean publishing = new AtomicBoolean();

	public BenchControl(BenchTarget target) {
		this.target = target;
	}

	/** The topic name of an index: {@code bench-<n>}. */
	public static String topic(int index) {
		if (index >= TOPICS.length) {
			return "bench-" + index;
		}
		String topic = TOPICS[index];
		if (topic == null) {
			topic = "bench-" + index;
			TOPICS[index] = topic;
		}
		return topic;
	}

	@GetMapping("/ping")
	public String ping() {
		return "ok";
	}

	/** Used heap after full collections, the number per-connection heap is computed from. */
	@GetMapping("/heap")
	public Map<String, Object> heap() {
		for (int i = 0; i < 3; i++) {
			System.gc();
		}
		long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
		return Map.of("heap", used, "subscribed", this.target.subscribed());
	}

	@GetMapping("/connections")
	public long connections() {
		return this.target.openConnections();
	}

	@GetMapping("/subscribed")
	public long subscribed() {
		return this.target.subscribed();
	}

	/**
	 * Publish {@code n} ticks at {@code rate} per second (0: as fast as possible), round robin
	 * over {@code topics} topics, on a thread of its own; answers at once.
	 */
	@PostMapping("/publish")
	public ResponseEntity<String> publish(@RequestParam int topics, @RequestParam int n, @RequestParam double rate,
			@RequestParam long from) {
		if (!this.publishing.compareAndSet(false, true)) {
			return ResponseEntity.status(409).body("busy");
		}
		Thread publisher = new Thread(() -> {
			try {
				run(topics, n, rate, from);
			}
			finally {
				this.publishing.set(false);
			}
		}, "bench-publisher");
		publisher.start();
		return ResponseEntity.accepted().body("started");
	}

	private void run(int topics, int n, double rate, long from) {
		long start = System.nanoTime();
		double nanosPerMessage = (rate > 0) ? 1e9 / rate : 0;
		for (int i = 0; i < n; i++) {
			if (rate > 0) {
				long due = start + (long) (i * nanosPerMessage);
				long wait;
				while ((wait = due - System.nanoTime()) > 0) {
					LockSupport.parkNanos(wait);
				}
			}
			this.target.publish(topic(i % topics), new Tick(from + i / topics, Tick.nowMicros()));
		}
	}

}
