package io.realtime.webmvc.upload;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Tunables of the upload endpoint.
 *
 * @param directory where uploads are written
 * @param maxSize largest upload accepted, in bytes
 * @param expiry how long an unfinished upload is kept after its last byte arrived
 * @param maxUnfinishedPerClient most unfinished uploads one client may hold at once
 * @param diskBudget most bytes all unfinished uploads may reserve at once (each counts its full length)
 * @param bodyIdleTimeout how long a request body may send nothing before the request is ended,
 * keeping what arrived and letting the upload go
 * @param maxUploads most uploads known at once, finished ones (kept until they expire, for
 * {@code HEAD}) included: what bounds the store's memory and files whatever the number of clients
 * @since 0.1.0
 */
public record UploadSettings(Path directory, long maxSize, Duration expiry, int maxUnfinishedPerClient,
		long diskBudget, Duration bodyIdleTimeout, int maxUploads) {

	/** Bodies idle this long are ended unless told otherwise. */
	public static final Duration DEFAULT_BODY_IDLE_TIMEOUT = Duration.ofSeconds(30);

	/** Uploads known at once unless told otherwise. */
	public static final int DEFAULT_MAX_UPLOADS = 10_000;

	public UploadSettings {
		Objects.requireNonNull(directory, "directory must not be null");
		Objects.requireNonNull(expiry, "expiry must not be null");
		Objects.requireNonNull(bodyIdleTimeout, "bodyIdleTimeout must not be null");
		if (maxSize <= 0 || maxUnfinishedPerClient <= 0 || diskBudget <= 0 || maxUploads <= 0 || expiry.isNegative()
				|| expiry.isZero()
				|| bodyIdleTimeout.isNegative() || bodyIdleTimeout.isZero()) {
			throw new IllegalArgumentException("upload limits must be positive");
		}
	}

	/**
	 * Settings with the {@link #DEFAULT_BODY_IDLE_TIMEOUT default body idle timeout} and
	 * {@link #DEFAULT_MAX_UPLOADS default most uploads}.
	 */
	public UploadSettings(Path directory, long maxSize, Duration expiry, int maxUnfinishedPerClient, long diskBudget) {
		this(directory, maxSize, expiry, maxUnfinishedPerClient, diskBudget, DEFAULT_BODY_IDLE_TIMEOUT,
				DEFAULT_MAX_UPLOADS);
	}

}
