package io.realtime.bench;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The benchmark harness at toy scale inside {@code ./mvnw verify}, so it never rots: our server
 * and the STOMP peer in their own processes, every transport through every scenario with a real
 * load-generator process, and not one message lost, duplicated or out of order on ours. No
 * timing is asserted.
 */
class BenchSmokeTests {

	@Test
	void everyTransportDeliversEveryMessageExactlyOnceUnderTheHarness() throws Exception {
		List<Map<String, Object>> results = new BenchRunner(
				Map.of("mode", "smoke", "out", "target/smoke-results", "threads", "1")).run();
		// ours-ws, ours-sse, ours-sse-portable and ours-long-poll, each through three scenarios
		assertThat(results).hasSize(12);
		assertThat(results).allSatisfy((result) -> {
			assertThat(result).doesNotContainKey("error");
			assertThat(result.get("closed")).as("%s closed connections", result.get("target")).isEqualTo(0);
			if (result.get("scenario").equals("idle")) {
				assertThat(result.get("ready")).isEqualTo(20);
			}
			else {
				assertThat(result.get("complete")).as("%s %s complete", result.get("target"), result.get("scenario"))
					.isEqualTo(true);
				assertThat(result.get("lost")).isEqualTo(0);
				assertThat(result.get("duplicated")).isEqualTo(0);
				assertThat(result.get("reordered")).isEqualTo(0);
				assertThat(((Number) result.get("received")).longValue())
					.isEqualTo(((Number) result.get("expectedDeliveries")).longValue());
			}
		});
		assertThat(Path.of("target/smoke-results/results.json")).exists();
	}

}
