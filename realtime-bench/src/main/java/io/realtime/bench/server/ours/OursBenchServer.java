package io.realtime.bench.server.ours;

import io.realtime.bench.server.BenchControl;
import io.realtime.bench.server.BenchTarget;
import io.realtime.bench.server.Tick;
import io.realtime.bench.server.TomcatTuning;
import io.realtime.webmvc.ConnectionRegistry;
import io.realtime.webmvc.RealtimePublisher;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

/**
 * The server under test: an application with nothing but the realtime starter, publishing with
 * {@link RealtimePublisher} as its users would.
 *
 * @since 0.1.0
 */
@SpringBootApplication
@Import({ BenchControl.class, TomcatTuning.class })
public class OursBenchServer {

	@Bean
	BenchTarget benchTarget(RealtimePublisher realtime, ConnectionRegistry connections) {
		return new BenchTarget() {
			@Override
			public void publish(String topic, Tick tick) {
				realtime.publish(topic, tick);
			}

			@Override
			public long openConnections() {
				return connections.count();
			}
		};
	}

	public static void main(String[] args) {
		SpringApplication.run(OursBenchServer.class, args);
	}

}
