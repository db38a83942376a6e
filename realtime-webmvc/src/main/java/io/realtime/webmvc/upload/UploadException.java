package io.realtime.webmvc.upload;

/**
 * A tus request refused with the status tus defines for it (400, 403, 404, 409, 412, 413, 415,
 * 423, 429, 460, 507).
 */
final class UploadException extends RuntimeException {

	private final int status;

	UploadException(int status, String message) {
		super(message, null, false, false);
		this.status = status;
	}

	int status() {
		return this.status;
	}

}
