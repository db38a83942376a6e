package io.realtime.autoconfigure.redis;

import io.realtime.test.RealtimeHttpClient;
import io.realtime.test.TestApplication;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * One instance of the application on its own random port, as behind a load balancer.
 */
final class AppInstance implements AutoCloseable {

	private final ConfigurableApplicationContext context;

	private final RealtimeHttpClient client;

	private AppInstance(ConfigurableApplicationContext context) {
		this.context = context;
		this.client = new RealtimeHttpClient(port());
	}

	/**
	 * Start an instance on a Redis server.
	 * @param redisPort the Redis port
	 * @param properties more properties, {@code name=value}
	 * @return the running instance
	 */
	public static AppInstance start(int redisPort, String... properties) {
		return new AppInstance(new SpringApplicationBuilder(TestApplication.class)
			.properties("server.port=0", "spring.data.redis.host=127.0.0.1", "spring.data.redis.port=" + redisPort,
					"realtime.publish.allowed-topics=**", "management.endpoints.web.exposure.include=health",
					"management.endpoint.health.show-details=always", "spring.main.banner-mode=off")
			.properties(properties)
			.run());
	}

	public int port() {
		return Integer.parseInt(this.context.getEnvironment().getRequiredProperty("local.server.port"));
	}

	public RealtimeHttpClient http() {
		return this.client;
	}

	public <T> T bean(Class<T> type) {
		return this.context.getBean(type);
	}

	@Override
	public void close() {
		this.context.close();
	}

}
