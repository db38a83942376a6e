package io.realtime.webmvc;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class ConnectionRegistryTests {

	private static final long MB = 1024 * 1024;

	@Test
	void limitFittingTheHeapTakesHalfOfItAt128KbAConnection() {
		assertThat(ConnectionRegistry.fittingHeap(512 * MB)).isEqualTo(2048);
		assertThat(ConnectionRegistry.fittingHeap(1024 * MB)).isEqualTo(4096);
	}

	@Test
	void limitFittingTheHeapStaysBetween100And10000() {
		assertThat(ConnectionRegistry.fittingHeap(16 * MB)).isEqualTo(100);
		assertThat(ConnectionRegistry.fittingHeap(32 * 1024 * MB)).isEqualTo(10_000);
	}

	@Test
	void connectionsPastTheLimitAreRefused() {
		ConnectionRegistry registry = new ConnectionRegistry(2);
		ClientLimits.Client client = ClientLimits.UNLIMITED.client(null, "127.0.0.1");
		try {
			registry.open(new Idle(), client);
			registry.open(new Idle(), client);
			assertThatExceptionOfType(RealtimeException.class).isThrownBy(() -> registry.open(new Idle(), client))
				.satisfies((ex) -> assertThat(ex.reason().status()).isEqualTo(503));
		}
		finally {
			registry.destroy();
		}
	}

	private static final class Idle implements RealtimeConnection {

		@Override
		public String transport() {
			return "test";
		}

		@Override
		public void shutdown() {
		}

	}

}
