package io.realtime.webmvc.upload;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * Removes expired uploads from a store at a fixed interval, on its own daemon thread, until
 * closed.
 *
 * @since 0.1.0
 */
public class UploadExpiry implements AutoCloseable {

	private static final Log logger = LogFactory.getLog(UploadExpiry.class);

	private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor((task) -> {
		Thread thread = new Thread(task, "realtime-upload-expiry");
		thread.setDaemon(true);
		return thread;
	});

	/**
	 * Start removing.
	 * @param store the uploads
	 * @param interval how often to look
	 */
	public UploadExpiry(UploadStore store, Duration interval) {
		long millis = interval.toMillis();
		this.scheduler.scheduleWithFixedDelay(() -> {
			try {
				store.removeExpired();
			}
			catch (RuntimeException ex) {
				logger.warn("Expired uploads could not be removed", ex);
			}
		}, millis, millis, TimeUnit.MILLISECONDS);
	}

	@Override
	public void close() {
		this.scheduler.shutdownNow();
	}

}
