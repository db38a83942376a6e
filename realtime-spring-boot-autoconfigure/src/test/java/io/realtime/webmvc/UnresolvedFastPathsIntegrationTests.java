package io.realtime.webmvc;

import io.realtime.test.TestApplication;
import io.realtime.test.TomcatFastPath;
import io.realtime.webmvc.container.ContainerFastPaths;
import io.realtime.webmvc.tomcat.TomcatFastPaths;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A Tomcat whose internals differ from what a fast path needs (simulated by hiding the class the
 * hook reaches): the hook is logged once at WARN with its name, and every transport still works
 * on the portable path, with the detach switches on.
 */
@TomcatFastPath
@ExtendWith(OutputCaptureExtension.class)
class UnresolvedFastPathsIntegrationTests {

	private static final String SOCKET_CLASS = "org.apache.coyote.http11.upgrade.UpgradeServletOutputStream";

	private static final String FRAME_CLASS = "org.apache.tomcat.websocket.WsRemoteEndpointBase";

	@ParameterizedTest
	@CsvSource({ TomcatFastPaths.DETACHED_RESPONSES + "," + SOCKET_CLASS + "," + TomcatFastPaths.PRE_ENCODED_FRAMES,
			TomcatFastPaths.PRE_ENCODED_FRAMES + "," + FRAME_CLASS + "," + TomcatFastPaths.DETACHED_RESPONSES })
	void aHookThatDoesNotResolveIsLoggedOnceByName(String hook, String hidden, String other, CapturedOutput output) {
		TomcatFastPaths fastPaths = TomcatFastPaths.resolve(new FilteredClassLoader(hidden));
		assertThat(fastPaths.isResolved(hook)).isFalse();
		assertThat(fastPaths.isResolved(other)).isTrue();
		assertThat(output).containsOnlyOnce("Tomcat fast path").contains("WARN").contains("'" + hook + "' is off");
	}

	@Test
	void everyHookResolvesOnThisTomcat(CapturedOutput output) {
		TomcatFastPaths fastPaths = TomcatFastPaths.resolve();
		assertThat(fastPaths.isResolved(TomcatFastPaths.DETACHED_RESPONSES)).isTrue();
		assertThat(fastPaths.isResolved(TomcatFastPaths.PRE_ENCODED_FRAMES)).isTrue();
		assertThat(output).doesNotContain("Tomcat fast path");
	}

	@Nested
	@SpringBootTest(classes = { TestApplication.class, WithoutDetachedResponses.class },
			webEnvironment = WebEnvironment.RANDOM_PORT,
			properties = { "realtime.publish.allowed-topics=chat,room/**", "realtime.long-poll.timeout=10s",
					"realtime.long-poll.detach=true", "realtime.sse.detach=true" })
	class DetachedResponsesUnresolved extends TransportsIntegrationTests {

	}

	@Nested
	@SpringBootTest(classes = { TestApplication.class, WithoutPreEncodedFrames.class },
			webEnvironment = WebEnvironment.RANDOM_PORT,
			properties = { "realtime.publish.allowed-topics=chat,room/**", "realtime.long-poll.timeout=10s" })
	class PreEncodedFramesUnresolved extends TransportsIntegrationTests {

	}

	@Configuration(proxyBeanMethods = false)
	static class WithoutDetachedResponses {

		@Bean
		ContainerFastPaths fastPathsWithoutDetachedResponses() {
			return TomcatFastPaths.resolve(new FilteredClassLoader(SOCKET_CLASS));
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class WithoutPreEncodedFrames {

		@Bean
		ContainerFastPaths fastPathsWithoutPreEncodedFrames() {
			return TomcatFastPaths.resolve(new FilteredClassLoader(FRAME_CLASS));
		}

	}

}
