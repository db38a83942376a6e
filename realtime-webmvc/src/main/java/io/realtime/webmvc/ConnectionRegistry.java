package io.realtime.webmvc;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.realtime.webmvc.RealtimeException.Reason;

import org.springframework.context.SmartLifecycle;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;

/**
 * Every open long-lived connection and its client, the connection limit, the writer threads that drain
 * {@link Outbox outboxes} and the timer that drives heartbeats. On shutdown every connection
 * is closed first, so graceful shutdown of the web server is not held up by open streams.
 *
 * @since 0.1.0
 */
public class ConnectionRegistry implements SmartLifecycle {

	private static final int HEARTBEAT_SLICES = 10;

	/** Every open connection and the client holding it. */
	private final Map<RealtimeConnection, ClientLimits.Client> connections = new ConcurrentHashMap<>();

	private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();

	private final AtomicInteger total = new AtomicInteger();

	private final int maxConnections;

	private final ThreadPoolExecutor writers;

	private final ScheduledExecutorService timer;

	/**
	 * Work that may wait for a stalled client (a close frame, a blocking write of the portable
	 * SSE path), so it never holds up the writers; a thread per such wait, while it lasts.
	 */
	private final ExecutorService blocking = Executors.newCachedThreadPool(daemon("realtime-blocking-"));

	private volatile boolean running;

	/**
	 * Create a registry with the default number of writer threads.
	 * @param maxConnections the most connections open at once
	 */
	public ConnectionRegistry(int maxConnections) {
		this(maxConnections, defaultWriterThreads());
	}

	/**
	 * Create a registry.
	 * @param maxConnections the most connections open at once
	 * @param writerThreads the threads that drain the connections' outboxes
	 */
	public ConnectionRegistry(int maxConnections, int writerThreads) {
		this.maxConnections = maxConnections;
		this.writers = new ThreadPoolExecutor(writerThreads, writerThreads, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
				new CustomizableThreadFactory("realtime-writer-"));
		this.writers.allowCoreThreadTimeOut(true);
		ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, daemon("realtime-timer-"));
		// a cancelled timeout leaves the queue at once rather than holding its request until due
		timer.setRemoveOnCancelPolicy(true);
		this.timer = timer;
	}

	/**
	 * The writer threads used unless told otherwise: four per core, at least 8. Writes never wait
	 * for a client (see {@link #blocking()}); the spare threads are the measured default for
	 * throughput.
	 * @return the count
	 */
	public static int defaultWriterThreads() {
		return Math.max(8, 4 * Runtime.getRuntime().availableProcessors());
	}

	/**
	 * The most connections a heap holds with room to spare: half of it at 128 KB a connection
	 * (a waiting long poll costs about 80 KB on Tomcat, mostly the container's own buffers),
	 * between 100 and 10,000.
	 * @param maxHeapBytes the heap's maximum size, as {@link Runtime#maxMemory()} gives it
	 * @return the limit
	 */
	public static int fittingHeap(long maxHeapBytes) {
		return (int) Math.max(100, Math.min(10_000, maxHeapBytes / 2 / (128 * 1024)));
	}

	private static CustomizableThreadFactory daemon(String prefix) {
		CustomizableThreadFactory factory = new CustomizableThreadFactory(prefix);
		factory.setDaemon(true);
		return factory;
	}

	/**
	 * Register a connection unless its client holds its share of connections already or the
	 * limit is reached.
	 * @param connection the new connection
	 * @param client the client it belongs to, whose slot it takes until closed
	 * @throws RealtimeException {@code rate_limited} past the client's share (checked first, as
	 * the protocol orders 429 before 503), {@code unavailable} past the limit
	 */
	public void open(RealtimeConnection connection, ClientLimits.Client client) {
		client.connect();
		if (this.total.incrementAndGet() > this.maxConnections) {
			this.total.decrementAndGet();
			client.disconnect();
			throw new RealtimeException(Reason.UNAVAILABLE, "connection limit reached");
		}
		this.connections.put(connection, client);
		this.counts.computeIfAbsent(connection.transport(), (key) -> new AtomicInteger()).incrementAndGet();
	}

	/**
	 * Forget a connection and give back its client's slot; safe to call more than once.
	 * @param connection the connection
	 */
	public void closed(RealtimeConnection connection) {
		ClientLimits.Client client = this.connections.remove(connection);
		if (client != null) {
			client.disconnect();
			this.total.decrementAndGet();
			this.counts.get(connection.transport()).decrementAndGet();
		}
	}

	/**
	 * The number of open connections of a transport.
	 * @param transport the transport name
	 * @return the count
	 */
	public int count(String transport) {
		AtomicInteger count = this.counts.get(transport);
		return (count != null) ? count.get() : 0;
	}

	/** The number of open connections. */
	public int count() {
		return this.total.get();
	}

	/** The executor that drains outboxes. */
	public ExecutorService writers() {
		return this.writers;
	}

	/** The executor for work that may wait on a client: closing a connection, a blocking write. */
	public ExecutorService blocking() {
		return this.blocking;
	}

	/**
	 * Call {@link RealtimeConnection#heartbeat()} on every connection of a transport at a fixed
	 * rate.
	 * @param transport the transport name
	 * @param interval the interval
	 */
	public void heartbeat(String transport, Duration interval) {
		long millis = interval.toMillis();
		// a tenth of the connections per tenth of the interval: 15,000 pings queued at once held
		// up the messages behind them by hundreds of milliseconds
		int slices = (int) Math.max(1, Math.min(HEARTBEAT_SLICES, millis / 100));
		long tick = Math.max(1, millis / slices);
		AtomicLong ticks = new AtomicLong();
		this.timer.scheduleAtFixedRate(() -> {
			int slice = (int) (ticks.incrementAndGet() % slices);
			for (RealtimeConnection connection : this.connections.keySet()) {
				if (connection.transport().equals(transport)
						&& Math.floorMod(System.identityHashCode(connection), slices) == slice) {
					connection.heartbeat();
				}
			}
		}, tick, tick, TimeUnit.MILLISECONDS);
	}

	/**
	 * Run a task once after a delay on the registry's timer.
	 * @param task the task
	 * @param delay the delay
	 * @return the scheduled task, to cancel
	 */
	public ScheduledFuture<?> schedule(Runnable task, Duration delay) {
		return this.timer.schedule(task, delay.toMillis(), TimeUnit.MILLISECONDS);
	}

	@Override
	public void start() {
		this.running = true;
	}

	@Override
	public void stop() {
		this.running = false;
		for (RealtimeConnection connection : this.connections.keySet()) {
			connection.shutdown();
		}
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	/** Stop the threads; called when the bean is destroyed. */
	public void destroy() {
		this.timer.shutdownNow();
		this.writers.shutdown();
		this.blocking.shutdown();
	}

}
