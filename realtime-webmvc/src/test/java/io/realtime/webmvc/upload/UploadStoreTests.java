package io.realtime.webmvc.upload;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;

import io.realtime.core.InMemoryBroker;
import io.realtime.webmvc.RealtimeMetrics;
import io.realtime.webmvc.RealtimePublisher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The storage directory: unfinished uploads survive a restart, expire with their files, and
 * {@code Upload-Metadata} is read as tus defines it.
 */
class UploadStoreTests {

	@TempDir
	Path directory;

	private final UploadProgress progress = new UploadProgress(
			new RealtimePublisher(new InMemoryBroker(), JsonMapper.builder().build(), new RealtimeMetrics()), 0);

	@Test
	void anUnfinishedUploadIsTakenOverAfterARestart() throws Exception {
		UploadStore store = store(Clock.systemUTC());
		Upload upload = store.create(10, "filename " + "YS50eHQ=", "address:1", () -> "ada");
		store.append(upload, new ByteArrayInputStream(new byte[] { 1, 2, 3, 4 }), null, this.progress);

		Upload again = store(Clock.systemUTC()).find(upload.id());
		assertThat(again).isNotNull();
		assertThat(again.offset()).isEqualTo(4);
		assertThat(again.length()).isEqualTo(10);
		assertThat(again.metadata()).containsExactly(Map.entry("filename", "a.txt"));
		assertThat(again.principal().getName()).isEqualTo("ada");
	}

	@Test
	void anExpiredUnfinishedUploadIsRemovedWithItsFiles() throws Exception {
		MutableClock clock = new MutableClock();
		UploadStore store = store(clock);
		Upload upload = store.create(10, "", "address:1", null);
		store.append(upload, new ByteArrayInputStream(new byte[4]), null, this.progress);
		clock.now = clock.now.plus(Duration.ofMinutes(59));
		assertThat(store.removeExpired()).isZero();
		assertThat(store.find(upload.id())).isNotNull();
		clock.now = clock.now.plus(Duration.ofMinutes(2));
		assertThat(store.find(upload.id())).isNull();
		assertThat(store.removeExpired()).isOne();
		try (var files = Files.list(this.directory)) {
			assertThat(files).isEmpty();
		}
	}

	/** Many clients, each within its own share, still meet one bound; finished uploads count too. */
	@Test
	void uploadsBeyondTheStoresBoundAreRefusedWhateverTheClient() {
		UploadStore store = new UploadStore(new UploadSettings(this.directory, 100, Duration.ofHours(1), 5, 1000,
				UploadSettings.DEFAULT_BODY_IDLE_TIMEOUT, 2), new MutableClock());
		store.create(0, "", "address:10.0.0.1", null);
		store.create(10, "", "address:10.0.0.2", null);
		assertThatExceptionOfType(UploadException.class)
			.isThrownBy(() -> store.create(10, "", "address:10.0.0.3", null))
			.satisfies((refused) -> assertThat(refused.status()).isEqualTo(503));
	}

	@Test
	void metadataIsKeysWithOptionalBase64Values() {
		assertThat(UploadStore.decodeMetadata("filename d29ybGRfZG9taW5hdGlvbl9wbGFuLnBkZg==,is_confidential"))
			.containsExactly(Map.entry("filename", "world_domination_plan.pdf"), Map.entry("is_confidential", ""));
		assertThat(UploadStore.decodeMetadata("")).isEmpty();
		assertThatExceptionOfType(UploadException.class).isThrownBy(() -> UploadStore.decodeMetadata("a b c"));
		assertThatExceptionOfType(UploadException.class).isThrownBy(() -> UploadStore.decodeMetadata("a !!,b"));
		assertThatExceptionOfType(UploadException.class).isThrownBy(() -> UploadStore.decodeMetadata("a,a"));
	}

	private UploadStore store(Clock clock) {
		return new UploadStore(new UploadSettings(this.directory, 100, Duration.ofHours(1), 5, 1000), clock);
	}

	private static final class MutableClock extends Clock {

		Instant now = Instant.parse("2026-01-01T00:00:00Z");

		@Override
		public Instant instant() {
			return this.now;
		}

		@Override
		public ZoneOffset getZone() {
			return ZoneOffset.UTC;
		}

		@Override
		public Clock withZone(java.time.ZoneId zone) {
			return this;
		}

	}

}
