package io.realtime.webmvc;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * Logs what was refused to clients: each refusal at DEBUG, and at most one WARN a minute
 * counting them, so nothing a client sends can flood the log or cost a stack trace.
 *
 * @since 0.1.0
 */
public final class RefusalLog {

	private static final Log logger = LogFactory.getLog(RefusalLog.class);

	private static final long MINUTE = TimeUnit.MINUTES.toNanos(1);

	private static final AtomicLong count = new AtomicLong();

	private static final AtomicLong windowStart = new AtomicLong(System.nanoTime());

	private RefusalLog() {
	}

	/**
	 * Note one refusal.
	 * @param what what was refused, e.g. "GET /realtime/poll" or "WebSocket frame"
	 * @param status the HTTP status or the protocol's error code
	 * @param detail what the client was told
	 */
	public static void refused(String what, Object status, String detail) {
		if (logger.isDebugEnabled()) {
			logger.debug("Refused " + what + ": " + status + " " + detail);
		}
		long refused = count.incrementAndGet();
		long start = windowStart.get();
		long now = System.nanoTime();
		if (now - start >= MINUTE && windowStart.compareAndSet(start, now)) {
			count.addAndGet(-refused);
			logger.warn(refused + " client requests refused in the last " + TimeUnit.NANOSECONDS.toSeconds(now - start)
					+ " s, the last: " + what + " " + status + " " + detail + " (each at DEBUG on " + RefusalLog.class.getName() + ")");
		}
	}

}
