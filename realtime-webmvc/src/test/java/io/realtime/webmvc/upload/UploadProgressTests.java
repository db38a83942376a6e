package io.realtime.webmvc.upload;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import io.realtime.core.InMemoryBroker;
import io.realtime.webmvc.RealtimeMetrics;
import io.realtime.webmvc.RealtimePublisher;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Progress is published when another 1% has arrived or 250 ms have passed, whichever comes
 * first, and never for the last byte (the endpoint publishes that once the file is in place).
 */
class UploadProgressTests {

	private final InMemoryBroker broker = new InMemoryBroker();

	private final RealtimePublisher publisher = new RealtimePublisher(this.broker, JsonMapper.builder().build(),
			new RealtimeMetrics());

	private final Upload upload = new Upload("0123456789abcdef0123456789abcdef", Path.of("x"), 10_000, "", Map.of(),
			"address:test", null, 0, Instant.now());

	private final AtomicLong nanos = new AtomicLong();

	@Test
	void aFastUploadIsPublishedEveryPercent() {
		UploadProgress progress = new UploadProgress(this.publisher, 0, this.nanos::get);
		for (long offset = 1; offset <= 10_000; offset++) {
			this.upload.offset(offset);
			progress.advanced(this.upload);
		}
		assertThat(offsets()).hasSize(99).startsWith(100L, 200L).endsWith(9_900L);
	}

	@Test
	void aSlowUploadIsPublishedEvery250Milliseconds() {
		UploadProgress progress = new UploadProgress(this.publisher, 0, this.nanos::get);
		for (long offset = 1; offset <= 20; offset++) {
			this.nanos.addAndGet(100_000_000L); // 100 ms for each byte
			this.upload.offset(offset);
			progress.advanced(this.upload);
		}
		// at 300 ms, 600 ms, ... : every third byte
		assertThat(offsets()).containsExactly(3L, 6L, 9L, 12L, 15L, 18L);
	}

	private List<Long> offsets() {
		String topic = Upload.topic(this.upload.id());
		return this.broker.read(topic, this.broker.rewind(topic, 1000), 1000)
			.messages()
			.stream()
			.map((message) -> JsonMapper.builder().build().readTree(message.data()).get("offset").asLong())
			.toList();
	}

}
