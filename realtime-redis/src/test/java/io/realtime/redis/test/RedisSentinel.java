package io.realtime.redis.test;

import java.time.Duration;

import org.springframework.data.redis.connection.RedisSentinelConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * A real Redis Sentinel for tests, watching a {@link RedisServer} of its own as master
 * {@value #MASTER}: the way an application finds its Redis through Sentinel.
 */
public final class RedisSentinel implements AutoCloseable {

	/** The name the sentinel knows the master by. */
	public static final String MASTER = "mymaster";

	private final RedisServer master;

	private final RedisServer sentinel;

	private RedisSentinel(RedisServer master, RedisServer sentinel) {
		this.master = master;
		this.sentinel = sentinel;
	}

	/**
	 * Start a master and a sentinel watching it.
	 * @return the running sentinel
	 */
	public static RedisSentinel start() {
		RedisServer master = RedisServer.start();
		try {
			return new RedisSentinel(master, master.startSentinel(MASTER, Duration.ofSeconds(30)));
		}
		catch (RuntimeException ex) {
			master.close();
			throw ex;
		}
	}

	/**
	 * A connection factory that finds the master through this sentinel, started.
	 * @return the factory; destroy it when done
	 */
	public LettuceConnectionFactory connectionFactory() {
		LettuceConnectionFactory factory = new LettuceConnectionFactory(
				new RedisSentinelConfiguration().master(MASTER).sentinel("127.0.0.1", this.sentinel.port()));
		factory.afterPropertiesSet();
		factory.start();
		return factory;
	}

	@Override
	public void close() {
		this.sentinel.close();
		this.master.close();
	}

}
