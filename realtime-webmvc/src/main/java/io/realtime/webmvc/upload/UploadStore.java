package io.realtime.webmvc.upload;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.Principal;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * The uploads of a storage directory: creation with its limits (size, unfinished uploads per
 * client, disk budget), lookup, termination and expiry. An unfinished upload is {@code <id>.part}
 * beside {@code <id>.info}, which lets it resume after a restart; a finished one is {@code <id>},
 * the application's to move.
 *
 * @since 0.1.0
 */
public class UploadStore {

	private static final Log logger = LogFactory.getLog(UploadStore.class);

	private final UploadSettings settings;

	private final Clock clock;

	private final SecureRandom random = new SecureRandom();

	private final Map<String, Upload> uploads = new ConcurrentHashMap<>();

	/** Guards the count and budget checks of creation, so two creations cannot both pass them. */
	private final Object admission = new Object();

	/**
	 * Create the store, creating its directory and taking over the unfinished uploads in it.
	 * @param settings the directory and limits
	 * @param clock the clock of expiry
	 */
	public UploadStore(UploadSettings settings, Clock clock) {
		this.settings = Objects.requireNonNull(settings, "settings must not be null");
		this.clock = Objects.requireNonNull(clock, "clock must not be null");
		try {
			Files.createDirectories(settings.directory());
		}
		catch (IOException ex) {
			throw new UncheckedIOException("upload directory " + settings.directory() + " cannot be created", ex);
		}
		reload();
	}

	/** The directory and limits. */
	public UploadSettings settings() {
		return this.settings;
	}

	Upload create(long length, String rawMetadata, String client, @Nullable Principal principal) {
		Map<String, String> metadata = decodeMetadata(rawMetadata);
		if (length > this.settings.maxSize()) {
			throw new UploadException(413, "Upload-Length is over the maximum of " + this.settings.maxSize() + " bytes");
		}
		synchronized (this.admission) {
			if (this.uploads.size() >= this.settings.maxUploads()) {
				throw new UploadException(503, "too many uploads on this server, try again later");
			}
			long held = 0;
			long reserved = 0;
			for (Upload upload : this.uploads.values()) {
				if (!upload.complete()) {
					reserved += upload.length();
					held += upload.client().equals(client) ? 1 : 0;
				}
			}
			if (held >= this.settings.maxUnfinishedPerClient()) {
				throw new UploadException(429, "this client already has " + held + " unfinished uploads");
			}
			if (reserved + length > this.settings.diskBudget()
					|| this.settings.directory().toFile().getUsableSpace() < length) {
				throw new UploadException(507, "no room for an upload of " + length + " bytes now");
			}
			String id = HexFormat.of().formatHex(bytes(16));
			Upload upload = new Upload(id, part(id), length, rawMetadata, metadata, client, principal, 0,
					this.clock.instant().plus(this.settings.expiry()));
			try {
				Files.createFile(upload.file());
				writeInfo(upload);
			}
			catch (IOException ex) {
				throw new UncheckedIOException("upload " + id + " cannot be created", ex);
			}
			this.uploads.put(id, upload);
			return upload;
		}
	}

	@Nullable Upload find(String id) {
		Upload upload = this.uploads.get(id);
		return (upload != null && upload.expires().isAfter(this.clock.instant())) ? upload : null;
	}

	/**
	 * Append what the stream holds to an upload whose lock the caller holds, up to its length,
	 * reading blocking.
	 * What arrived before a broken connection is kept; with a checksum, all of it or none.
	 * @return the new offset
	 * @throws IOException when the file cannot be written
	 */
	long append(Upload upload, InputStream body, @Nullable UploadChecksum checksum, UploadProgress progress)
			throws IOException {
		Append append = open(upload, checksum, progress);
		byte[] buffer = new byte[64 * 1024];
		IOException broken = null;
		try {
			while (append.remaining() > 0) {
				int read;
				try {
					read = body.read(buffer, 0, (int) Math.min(buffer.length, append.remaining()));
				}
				catch (IOException ex) {
					broken = ex;
					break;
				}
				if (read < 0) {
					break;
				}
				append.write(buffer, read);
			}
		}
		catch (IOException writeFailed) {
			append.end(writeFailed);
			throw writeFailed;
		}
		append.end(broken);
		return upload.offset();
	}

	/**
	 * Start appending one request's body to an upload whose lock the caller holds; the body
	 * may then arrive in pieces, on any thread, one at a time.
	 * @throws IOException when the file cannot be opened
	 */
	Append open(Upload upload, @Nullable UploadChecksum checksum, UploadProgress progress) throws IOException {
		return new Append(upload, Files.newOutputStream(upload.file(), StandardOpenOption.APPEND), checksum,
				progress);
	}

	/** One request's body on its way into an upload's file. */
	final class Append {

		private final Upload upload;

		private final OutputStream out;

		private final @Nullable UploadChecksum checksum;

		private final UploadProgress progress;

		private final long start;

		private Append(Upload upload, OutputStream out, @Nullable UploadChecksum checksum, UploadProgress progress) {
			this.upload = upload;
			this.out = out;
			this.checksum = checksum;
			this.progress = progress;
			this.start = upload.offset();
		}

		/** Bytes the upload still lacks. */
		long remaining() {
			return this.upload.length() - this.upload.offset();
		}

		/** Store the next bytes, at most {@link #remaining()}. */
		void write(byte[] buffer, int count) throws IOException {
			this.out.write(buffer, 0, count);
			if (this.checksum != null) {
				this.checksum.update(buffer, count);
			}
			this.upload.offset(this.upload.offset() + count);
			this.progress.advanced(this.upload);
		}

		/**
		 * Close the file: the body ended, or broke off (the client went away, or stalled) when
		 * {@code broken} is given, keeping what arrived; with a checksum, all of it or none.
		 * A finished upload's file is moved in place.
		 * @throws UploadException 460 when a whole body does not match its checksum
		 * @throws IOException when the file cannot be written
		 */
		void end(@Nullable Exception broken) throws IOException {
			this.out.close();
			if (this.checksum != null && (broken != null || !this.checksum.matches())) {
				truncate(this.upload, this.start);
				if (broken == null) {
					throw new UploadException(460, "the body does not match Upload-Checksum");
				}
			}
			if (broken != null) {
				// what arrived is kept, and the client will ask HEAD where to go on
				logger.debug("Upload " + this.upload.id() + " interrupted at " + this.upload.offset() + ": "
						+ broken.getMessage());
			}
			this.upload.expires(UploadStore.this.clock.instant().plus(UploadStore.this.settings.expiry()));
			if (this.upload.complete()) {
				finish(this.upload);
			}
		}

	}

	/**
	 * Give up an upload and its bytes (tus termination); a finished one is only forgotten, its
	 * file being the application's.
	 * @param upload the upload
	 */
	void terminate(Upload upload) {
		this.uploads.remove(upload.id());
		if (!upload.complete()) {
			delete(upload);
		}
	}

	/**
	 * Remove unfinished uploads past their expiry, with their files; forget finished ones past
	 * it (their files are the application's).
	 * @return how many were removed
	 */
	public int removeExpired() {
		Instant now = this.clock.instant();
		int removed = 0;
		for (Upload upload : this.uploads.values()) {
			if (upload.expires().isAfter(now)) {
				continue;
			}
			if (!upload.tryLock()) {
				continue; // a request is writing to it right now
			}
			try {
				this.uploads.remove(upload.id());
				if (!upload.complete()) {
					delete(upload);
					removed++;
				}
			}
			finally {
				upload.unlock();
			}
		}
		if (removed > 0) {
			logger.debug("Removed " + removed + " expired unfinished uploads");
		}
		return removed;
	}

	/**
	 * The path of an upload's file: {@code <id>} when finished.
	 * @param id the upload's id
	 * @return the path, whether it exists or not
	 */
	public Path file(String id) {
		return this.settings.directory().resolve(id);
	}

	private void finish(Upload upload) throws IOException {
		Path done = file(upload.id());
		Files.move(upload.file(), done, StandardCopyOption.ATOMIC_MOVE);
		Files.deleteIfExists(info(upload.id()));
		upload.file(done);
	}

	private void truncate(Upload upload, long offset) throws IOException {
		try (SeekableByteChannel channel = Files.newByteChannel(upload.file(), StandardOpenOption.WRITE)) {
			channel.truncate(offset);
		}
		upload.offset(offset);
	}

	private void delete(Upload upload) {
		try {
			Files.deleteIfExists(upload.file());
			Files.deleteIfExists(info(upload.id()));
		}
		catch (IOException ex) {
			logger.warn("Upload " + upload.id() + " could not be deleted: " + ex.getMessage());
		}
	}

	private byte[] bytes(int count) {
		byte[] bytes = new byte[count];
		this.random.nextBytes(bytes);
		return bytes;
	}

	private Path part(String id) {
		return this.settings.directory().resolve(id + ".part");
	}

	private Path info(String id) {
		return this.settings.directory().resolve(id + ".info");
	}

	private void writeInfo(Upload upload) throws IOException {
		Properties info = new Properties();
		info.setProperty("length", Long.toString(upload.length()));
		info.setProperty("metadata", upload.rawMetadata());
		info.setProperty("client", upload.client());
		if (upload.principal() != null) {
			info.setProperty("principal", upload.principal().getName());
		}
		try (OutputStream out = Files.newOutputStream(info(upload.id()))) {
			info.store(out, null);
		}
	}

	/** Take over the unfinished uploads a previous run left, their expiry counted from now. */
	private void reload() {
		try (DirectoryStream<Path> infos = Files.newDirectoryStream(this.settings.directory(), "*.info")) {
			for (Path path : infos) {
				String id = path.getFileName().toString().replace(".info", "");
				Path part = part(id);
				if (!Files.exists(part)) {
					Files.deleteIfExists(path);
					continue;
				}
				Properties info = new Properties();
				try (InputStream in = Files.newInputStream(path)) {
					info.load(in);
				}
				String name = info.getProperty("principal");
				String raw = info.getProperty("metadata", "");
				this.uploads.put(id, new Upload(id, part, Long.parseLong(info.getProperty("length")), raw,
						decodeMetadata(raw), info.getProperty("client", ""), (name != null) ? () -> name : null,
						Files.size(part), this.clock.instant().plus(this.settings.expiry())));
			}
		}
		catch (IOException | RuntimeException ex) {
			logger.warn("Unfinished uploads in " + this.settings.directory() + " could not all be read: " + ex);
		}
	}

	/** {@code Upload-Metadata}: comma-separated pairs of a key and an optional Base64 value. */
	static Map<String, String> decodeMetadata(String raw) {
		Map<String, String> metadata = new LinkedHashMap<>();
		if (raw.isBlank()) {
			return metadata;
		}
		for (String pair : raw.split(",", -1)) {
			String[] parts = pair.trim().split(" ", -1);
			if (parts.length > 2 || parts[0].isEmpty() || metadata.containsKey(parts[0])) {
				throw new UploadException(400, "Upload-Metadata is not a list of key and Base64 value pairs");
			}
			try {
				metadata.put(parts[0], (parts.length == 2)
						? new String(Base64.getDecoder().decode(parts[1]), StandardCharsets.UTF_8) : "");
			}
			catch (IllegalArgumentException ex) {
				throw new UploadException(400, "Upload-Metadata value of " + parts[0] + " is not Base64");
			}
		}
		return metadata;
	}

}
