package io.realtime.autoconfigure;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

import io.realtime.webmvc.RealtimeAuthorizationPolicy;
import io.realtime.webmvc.upload.UploadEndpoint;
import io.realtime.webmvc.upload.UploadExpiry;
import io.realtime.webmvc.upload.UploadSettings;
import io.realtime.webmvc.upload.UploadStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.unit.DataSize;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for the upload wiring of {@link RealtimeWebMvcAutoConfiguration}.
 */
class UploadAutoConfigurationTests {

	@TempDir
	Path directory;

	private final WebApplicationContextRunner contextRunner = new WebApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(JacksonAutoConfiguration.class, RealtimeAutoConfiguration.class,
				RealtimeWebMvcAutoConfiguration.class));

	@Test
	void uploadEndpointIsAbsentByDefault() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context).doesNotHaveBean(UploadEndpoint.class);
			assertThat(context).doesNotHaveBean(UploadStore.class);
			assertThat(context).doesNotHaveBean(UploadExpiry.class);
		});
	}

	@Test
	void uploadEndpointStoreAndExpiryArePresentWhenEnabled() {
		this.contextRunner
			.withPropertyValues("realtime.upload.enabled=true", "realtime.upload.directory=" + this.directory,
					"realtime.upload.max-size=5MB", "realtime.upload.expiry=2h",
					"realtime.upload.max-unfinished-per-client=2", "realtime.upload.disk-budget=50MB",
					"realtime.upload.body-idle-timeout=5s", "realtime.upload.max-uploads=7")
			.run((context) -> {
				assertThat(context).hasSingleBean(UploadEndpoint.class);
				assertThat(context).hasSingleBean(UploadExpiry.class);
				UploadSettings settings = context.getBean(UploadStore.class).settings();
				assertThat(settings).isEqualTo(new UploadSettings(this.directory, DataSize.ofMegabytes(5).toBytes(),
						Duration.ofHours(2), 2, DataSize.ofMegabytes(50).toBytes(), Duration.ofSeconds(5), 7));
			});
	}

	@Test
	void uploadStoreDefaultsToATemporaryDirectory() {
		this.contextRunner.withPropertyValues("realtime.upload.enabled=true").run((context) -> {
			UploadSettings settings = context.getBean(UploadStore.class).settings();
			assertThat(settings.directory()).isEqualTo(Path.of(System.getProperty("java.io.tmpdir"), "realtime-uploads"));
			assertThat(settings.maxSize()).isEqualTo(DataSize.ofGigabytes(1).toBytes());
			assertThat(settings.expiry()).isEqualTo(Duration.ofHours(24));
			assertThat(settings.maxUnfinishedPerClient()).isEqualTo(5);
			assertThat(settings.bodyIdleTimeout()).isEqualTo(Duration.ofSeconds(30));
		});
	}

	@Test
	void uploadStoreBacksOffWhenUserDefinesOne() {
		this.contextRunner.withPropertyValues("realtime.upload.enabled=true")
			.withUserConfiguration(CustomStore.class)
			.run((context) -> assertThat(context).getBean(UploadStore.class).isSameAs(context.getBean("customStore")));
	}

	@Test
	void defaultPolicyLetsAnyoneUpload() {
		this.contextRunner.withPropertyValues("realtime.upload.enabled=true", "realtime.upload.directory=" + this.directory)
			.run((context) -> assertThat(context.getBean(RealtimeAuthorizationPolicy.class).canUpload(null, 10)).isTrue());
	}

	@Test
	void diskBudgetBelowMaxSizeFailsFast() {
		this.contextRunner
			.withPropertyValues("realtime.upload.enabled=true", "realtime.upload.directory=" + this.directory,
					"realtime.upload.max-size=10MB", "realtime.upload.disk-budget=5MB")
			.run((context) -> assertThat(context).getFailure()
				.hasRootCauseInstanceOf(InvalidConfigurationPropertyValueException.class)
				.rootCause()
				.hasMessageContaining("realtime.upload.disk-budget"));
	}

	@Test
	void bodyIdleTimeoutOfZeroFailsFast() {
		this.contextRunner
			.withPropertyValues("realtime.upload.enabled=true", "realtime.upload.directory=" + this.directory,
					"realtime.upload.body-idle-timeout=0s")
			.run((context) -> assertThat(context).getFailure()
				.hasRootCauseInstanceOf(InvalidConfigurationPropertyValueException.class)
				.rootCause()
				.hasMessageContaining("realtime.upload.body-idle-timeout"));
	}

	@Configuration(proxyBeanMethods = false)
	static class CustomStore {

		@Bean
		UploadStore customStore() throws Exception {
			return new UploadStore(new UploadSettings(java.nio.file.Files.createTempDirectory("custom-uploads"), 10,
					Duration.ofMinutes(1), 1, 10), Clock.systemUTC());
		}

	}

}
