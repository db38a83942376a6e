package io.realtime.bench.load;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.Iterator;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * One selector thread serving many client connections, with one read buffer shared by all of
 * them (a connection keeps only the bytes of an unfinished frame), so thousands of idle
 * connections cost a few hundred bytes each.
 */
final class IoLoop extends Thread {

	final Selector selector;

	/** Publish-to-receive latency in microseconds; written by this thread only. */
	private final Recorder latency = new Recorder(3);

	private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();

	final ByteBuffer readBuffer = ByteBuffer.allocate(1 << 20);

	/** Wall clock and monotonic time of the read being processed. */
	long readMicros;

	long readNanos;

	volatile long lastDeliveryNanos;

	/** Set before the loop starts when the run is traced. */
	DeliveryTrace trace;

	private volatile boolean running = true;

	IoLoop(int index) throws IOException {
		super("load-io-" + index);
		setDaemon(true);
		this.selector = Selector.open();
	}

	void execute(Runnable task) {
		this.tasks.add(task);
		this.selector.wakeup();
	}

	void recordLatency(long micros) {
		this.latency.recordValue(Math.max(0, micros));
		this.lastDeliveryNanos = this.readNanos;
	}

	/** The latencies recorded since the last call. */
	Histogram takeLatency() {
		return this.latency.getIntervalHistogram();
	}

	void shutdown() {
		this.running = false;
		this.selector.wakeup();
	}

	@Override
	public void run() {
		while (this.running) {
			try {
				this.selector.select(50);
			}
			catch (IOException ex) {
				throw new IllegalStateException(ex);
			}
			Runnable task;
			while ((task = this.tasks.poll()) != null) {
				task.run();
			}
			Iterator<SelectionKey> keys = this.selector.selectedKeys().iterator();
			while (keys.hasNext()) {
				SelectionKey key = keys.next();
				keys.remove();
				ClientConnection connection = (ClientConnection) key.attachment();
				try {
					if (key.isValid() && key.isConnectable()) {
						connection.onConnectable();
					}
					if (key.isValid() && key.isReadable()) {
						connection.onReadable();
					}
					if (key.isValid() && key.isWritable()) {
						connection.onWritable();
					}
				}
				catch (IOException | RuntimeException ex) {
					connection.fail(ex);
				}
			}
		}
		for (SelectionKey key : this.selector.keys()) {
			((ClientConnection) key.attachment()).close();
		}
	}

}
