package io.realtime.bench;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/** {@code cpus=<server>/<generator>} and the command lines it confines. */
class CpuPlacementTests {

	@Test
	void confinesEachSideToItsCpuList() {
		CpuPlacement cpus = new CpuPlacement("0", "1-3");
		assertThat(cpus.server(List.of("node", "server.js"))).containsExactly("taskset", "-c", "0", "node", "server.js");
		assertThat(cpus.generator(List.of("java"))).containsExactly("taskset", "-c", "1-3", "java");
	}

	@Test
	void leavesCommandsAloneWithoutPlacement() {
		assertThat(CpuPlacement.NONE.server(List.of("java"))).containsExactly("java");
		assertThat(CpuPlacement.NONE.describe()).isEmpty();
	}

	@Test
	void rejectsAnythingButTwoCpuLists() {
		for (String value : List.of("0", "0/", "a/1", "0/1/2", "0;1/2")) {
			assertThatIllegalArgumentException().isThrownBy(() -> CpuPlacement.parse(value))
				.withMessageContaining("<server cpus>/<generator cpus>");
		}
	}

}
