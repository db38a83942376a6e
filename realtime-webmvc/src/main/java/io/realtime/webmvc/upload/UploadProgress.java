package io.realtime.webmvc.upload;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

import io.realtime.webmvc.RealtimePublisher;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * Publishes one request's progress on {@code uploads/<id>}: when another 1% has arrived or
 * 250 ms have passed since the last message, whichever comes first.
 * The payload is {@code {"id", "offset", "length", "complete"}}. A broker that refuses is
 * logged, never fails the upload.
 */
final class UploadProgress {

	private static final Log logger = LogFactory.getLog(UploadProgress.class);

	static final long INTERVAL_NANOS = 250_000_000L;

	private final RealtimePublisher publisher;

	private final LongSupplier nanoTime;

	private long published;

	private long publishedAt;

	UploadProgress(RealtimePublisher publisher, long offset) {
		this(publisher, offset, System::nanoTime);
	}

	UploadProgress(RealtimePublisher publisher, long offset, LongSupplier nanoTime) {
		this.publisher = publisher;
		this.published = offset;
		this.nanoTime = nanoTime;
		this.publishedAt = nanoTime.getAsLong();
	}

	void advanced(Upload upload) {
		long offset = upload.offset();
		if (offset == this.published || offset == upload.length()) {
			return; // the last byte's message is published once the file is in place
		}
		long now = this.nanoTime.getAsLong();
		if ((offset - this.published) * 100 >= upload.length()
				|| now - this.publishedAt >= INTERVAL_NANOS) {
			this.published = offset;
			this.publishedAt = now;
			publish(this.publisher, upload);
		}
	}

	static void publish(RealtimePublisher publisher, Upload upload) {
		Map<String, Object> progress = new LinkedHashMap<>();
		progress.put("id", upload.id());
		progress.put("offset", upload.offset());
		progress.put("length", upload.length());
		progress.put("complete", upload.complete());
		try {
			publisher.publish(Upload.topic(upload.id()), progress);
		}
		catch (RuntimeException ex) {
			logger.warn("Progress of upload " + upload.id() + " not published: " + ex.getMessage());
		}
	}

}
