package io.realtime.bench;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ScenarioTests {

	@Test
	void latencyWarmUpPublishesEnoughForC2OrRunsItsLongest() {
		for (Scenario scenario : Scenario.moderateLoad()) {
			double highest = scenario.rates().stream().mapToDouble(Double::doubleValue).max().orElseThrow();
			assertThat(scenario.warmupSeconds()).isBetween(20.0, 60.0);
			if (scenario.warmupSeconds() < 60) {
				assertThat(highest * scenario.warmupSeconds()).as(scenario.name()).isGreaterThanOrEqualTo(20_000);
			}
		}
		assertThat(Scenario.moderateLoad()).filteredOn((scenario) -> scenario.name().equals("latency-100"))
			.singleElement()
			.extracting(Scenario::warmupSeconds)
			.isEqualTo(40.0);
	}

}
