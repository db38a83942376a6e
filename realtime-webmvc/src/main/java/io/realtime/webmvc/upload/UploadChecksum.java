package io.realtime.webmvc.upload;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/** The digest of one request's body against its {@code Upload-Checksum} (tus checksum extension). */
final class UploadChecksum {

	/** tus names of the algorithms, to the JDK's. */
	static final Map<String, String> ALGORITHMS = Map.of("sha1", "SHA-1", "sha256", "SHA-256", "md5", "MD5");

	/** Advertised in {@code Tus-Checksum-Algorithm}. */
	static final String SUPPORTED = "sha1,sha256,md5";

	private final MessageDigest digest;

	private final byte[] expected;

	private UploadChecksum(MessageDigest digest, byte[] expected) {
		this.digest = digest;
		this.expected = expected;
	}

	/**
	 * Read the header.
	 * @return the checksum to update, or {@code null} when the request has none
	 * @throws UploadException 400 for an unsupported algorithm or a value that is not Base64
	 */
	static @Nullable UploadChecksum of(@Nullable String header) {
		if (header == null) {
			return null;
		}
		String[] parts = header.trim().split(" ");
		String algorithm = (parts.length == 2) ? ALGORITHMS.get(parts[0]) : null;
		if (algorithm == null) {
			throw new UploadException(400, "Upload-Checksum names no supported algorithm (" + SUPPORTED + ")");
		}
		try {
			return new UploadChecksum(MessageDigest.getInstance(algorithm), Base64.getDecoder().decode(parts[1]));
		}
		catch (IllegalArgumentException ex) {
			throw new UploadException(400, "Upload-Checksum is not Base64");
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	void update(byte[] bytes, int length) {
		this.digest.update(bytes, 0, length);
	}

	boolean matches() {
		return MessageDigest.isEqual(this.digest.digest(), this.expected);
	}

}
