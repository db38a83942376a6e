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
	 * @return the running instance
	 */
	public static AppInstance start(int redisPort) {
		return start("spring.data.redis.host=127.0.0.1", "spring.data.redis.port=" + redisPort);
	}

	/**
	 * Start an instance on the Redis these {@code spring.data.redis.*} properties point at.
	 * @param redisProperties the connection, such as {@code spring.data.redis.cluster.nodes=…}
	 * @return the running instance
	 */
	public static AppInstance start(String... redisProperties) {
		return start(TestApplication.class, redisProperties);
	}

	/**
	 * Start an instance of the given application on the Redis these properties point at.
	 * @param application the application class
	 * @param redisProperties the connection, such as {@code spring.data.redis.port=…}
	 * @return the running instance
	 */
	public static AppInstance start(Class<?> application, String... redisProperties) {
		return new AppInstance(new SpringApplicationBuilder(application)
			.properties("server.port=0", "realtime.publish.allowed-topics=**",
					"management.endpoints.web.exposure.include=health", "management.endpoint.health.show-details=always",
					"spring.main.banner-mode=off")
			.properties(redisProperties)
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
