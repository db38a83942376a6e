package io.realtime.redis;

import java.time.Clock;
import java.time.Duration;

import io.realtime.core.AbstractBrokerContractTests;
import io.realtime.core.Broker;
import io.realtime.core.InMemoryBroker;
import io.realtime.redis.test.RedisCluster;
import io.realtime.redis.test.RedisServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.TestInstance;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * The broker contract, run against the in-memory broker and the Redis broker alike (on a
 * standalone Redis and on a Redis Cluster), so all keep the same promises to the transports.
 */
class BrokerContractTests {

	@Nested
	class InMemory extends AbstractBrokerContractTests {

		@Override
		protected Broker createBroker(int historySize, Duration historyTtl) {
			return new InMemoryBroker(historySize, historyTtl, Clock.systemUTC());
		}

	}

	@Nested
	class OnRedis extends OnAnyRedis {

		@Override
		LettuceConnectionFactory connect() {
			return RedisServer.shared().connectionFactory();
		}

	}

	/** The same on a Redis Cluster: sharded notifications, the topics spread over three masters. */
	@Nested
	class OnRedisCluster extends OnAnyRedis {

		@Override
		LettuceConnectionFactory connect() {
			return RedisCluster.shared().connectionFactory();
		}

	}

	@TestInstance(TestInstance.Lifecycle.PER_CLASS)
	abstract static class OnAnyRedis extends AbstractBrokerContractTests {

		private LettuceConnectionFactory connectionFactory;

		abstract LettuceConnectionFactory connect();

		@BeforeAll
		void connectBrokers() {
			this.connectionFactory = connect();
		}

		@AfterAll
		void disconnect() {
			this.connectionFactory.destroy();
		}

		@Override
		protected Broker createBroker(int historySize, Duration historyTtl) {
			RedisBroker broker = new RedisBroker(this.connectionFactory, historySize, historyTtl);
			broker.start();
			return broker;
		}

		/** Another lifetime: the same Redis, under keys no other broker of the test uses. */
		@Override
		protected Broker createBrokerOfAnotherLifetime(int historySize, Duration historyTtl) {
			RedisBroker broker = new RedisBroker(this.connectionFactory, historySize, historyTtl);
			broker.setNamespace("another-lifetime");
			broker.start();
			return broker;
		}

		@Override
		protected void destroyBroker(Broker broker) {
			((RedisBroker) broker).close();
		}

	}

}
