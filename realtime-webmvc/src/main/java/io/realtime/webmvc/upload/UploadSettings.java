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
 * @since 0.1.0
 */
public record UploadSettings(Path directory, long maxSize, Duration expiry, int maxUnfinishedPerClient,
		long diskBudget) {

	public UploadSettings {
		Objects.requireNonNull(directory, "directory must not be null");
		Objects.requireNonNull(expiry, "expiry must not be null");
		if (maxSize <= 0 || maxUnfinishedPerClient <= 0 || diskBudget <= 0 || expiry.isNegative() || expiry.isZero()) {
			throw new IllegalArgumentException("upload limits must be positive");
		}
	}

}
