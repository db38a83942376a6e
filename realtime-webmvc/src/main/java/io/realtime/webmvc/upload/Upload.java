package io.realtime.webmvc.upload;

import java.nio.file.Path;
import java.security.Principal;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Semaphore;

import org.jspecify.annotations.Nullable;

/**
 * One upload: its declared length, what is stored so far and who made it. The offset is the
 * length of its file, changed only by the request holding the lock.
 */
final class Upload {

	private final String id;

	private volatile Path file;

	private final long length;

	private final String rawMetadata;

	private final Map<String, String> metadata;

	private final String client;

	private final @Nullable Principal principal;

	/** Not a ReentrantLock: a body read without a thread is finished, and the lock released, on another thread. */
	private final Semaphore lock = new Semaphore(1);

	private volatile long offset;

	private volatile Instant expires;

	Upload(String id, Path file, long length, String rawMetadata, Map<String, String> metadata, String client,
			@Nullable Principal principal, long offset, Instant expires) {
		this.id = id;
		this.file = file;
		this.length = length;
		this.rawMetadata = rawMetadata;
		this.metadata = Map.copyOf(metadata);
		this.client = client;
		this.principal = principal;
		this.offset = offset;
		this.expires = expires;
	}

	static String topic(String id) {
		return "uploads/" + id;
	}

	String id() {
		return this.id;
	}

	Path file() {
		return this.file;
	}

	void file(Path file) {
		this.file = file;
	}

	long length() {
		return this.length;
	}

	String rawMetadata() {
		return this.rawMetadata;
	}

	Map<String, String> metadata() {
		return this.metadata;
	}

	String client() {
		return this.client;
	}

	@Nullable Principal principal() {
		return this.principal;
	}

	long offset() {
		return this.offset;
	}

	void offset(long offset) {
		this.offset = offset;
	}

	boolean complete() {
		return this.offset == this.length;
	}

	Instant expires() {
		return this.expires;
	}

	void expires(Instant expires) {
		this.expires = expires;
	}

	/**
	 * Take the upload for one request that writes, if no other request holds it.
	 * @return whether the caller now holds it, and must {@link #unlock()} it exactly once
	 */
	boolean tryLock() {
		return this.lock.tryAcquire();
	}

	/** Let the upload go; any thread may, the holder's request having gone asynchronous. */
	void unlock() {
		this.lock.release();
	}

}
