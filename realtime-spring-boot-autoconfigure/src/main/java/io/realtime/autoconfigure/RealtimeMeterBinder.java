package io.realtime.autoconfigure;

import java.util.List;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.realtime.core.Broker;
import io.realtime.webmvc.ConnectionRegistry;
import io.realtime.webmvc.RealtimeMetrics;
import org.jspecify.annotations.Nullable;

/**
 * Exports the realtime counters and gauges to Micrometer.
 *
 * @since 0.1.0
 */
public class RealtimeMeterBinder implements MeterBinder {

	private static final List<String> TRANSPORTS = List.of("sse", "websocket", "long-poll");

	private final RealtimeMetrics metrics;

	private final Broker broker;

	private final @Nullable ConnectionRegistry connections;

	public RealtimeMeterBinder(RealtimeMetrics metrics, Broker broker, @Nullable ConnectionRegistry connections) {
		this.metrics = metrics;
		this.broker = broker;
		this.connections = connections;
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		Gauge.builder("realtime.subscriptions", this.broker, Broker::subscriptionCount)
			.description("Subscriptions held by this instance's broker")
			.register(registry);
		FunctionCounter.builder("realtime.messages.published", this.metrics, RealtimeMetrics::publishedCount)
			.description("Messages accepted from clients and server code")
			.register(registry);
		FunctionCounter.builder("realtime.messages.delivered", this.metrics, RealtimeMetrics::deliveredCount)
			.description("Messages handed to a client connection")
			.register(registry);
		FunctionCounter.builder("realtime.connections.slow", this.metrics, RealtimeMetrics::slowConsumerCount)
			.description("Connections closed because they could not keep up")
			.register(registry);
		FunctionCounter.builder("realtime.requests.rejected", this.metrics, RealtimeMetrics::rejectedCount)
			.description("Client requests and frames refused with an error")
			.register(registry);
		ConnectionRegistry connections = this.connections;
		if (connections != null) {
			for (String transport : TRANSPORTS) {
				Gauge.builder("realtime.connections", connections, (open) -> open.count(transport))
					.tag("transport", transport)
					.description("Open long-lived connections")
					.register(registry);
			}
		}
	}

}
