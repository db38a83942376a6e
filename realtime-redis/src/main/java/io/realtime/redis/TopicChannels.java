package io.realtime.redis;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.models.partitions.Partitions;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.cluster.pubsub.RedisClusterPubSubAdapter;
import io.lettuce.core.cluster.pubsub.StatefulRedisClusterPubSubConnection;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.pubsub.api.async.RedisPubSubAsyncCommands;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * The pub/sub channels of the topics this instance has local subscribers on, on one Lettuce
 * pub/sub connection of its own: classic {@code SUBSCRIBE} on a standalone Redis (or one found
 * through Sentinel), sharded {@code SSUBSCRIBE} on a Redis Cluster, which Lettuce sends to the
 * node that owns the channel's slot.
 *
 * <p>Redis confirms every subscription; each confirmation is reported, so the broker reads
 * what the topic's stream got before the subscription took effect. What is wanted is kept here,
 * apart from what Redis confirmed, and {@link #check()} (called periodically) subscribes again
 * whatever is wanted and not confirmed, or confirmed on a node that no longer owns the channel's
 * slot: a subscribe refused while disconnected, a failover or a slot migration, which Lettuce
 * 7.5 does not follow for sharded channels by itself, never leaves a topic deaf for longer than
 * the next check after the cluster topology is refreshed. On a cluster, sharded subscriptions
 * live on Lettuce's connections to the nodes that own their slots; the connection opened here
 * only routes the commands, and is replaced when its own node stays unreachable.
 */
final class TopicChannels implements AutoCloseable {

	private static final Log logger = LogFactory.getLog(TopicChannels.class);

	/** The node of a confirmation on a standalone Redis, or when the cluster node is unknown. */
	private static final String ANY_NODE = "";

	/** How long the check waits for a subscribe in flight before it sends another. */
	private static final Duration PENDING_LIMIT = Duration.ofSeconds(5);

	/** Checks (a second apart) a closed cluster connection gets before it is opened again. */
	private static final int REOPEN_AFTER_CHECKS = 3;

	private final AbstractRedisClient client;

	private final boolean sharded;

	private final Function<String, String> channelOf;

	private final Listener listener;

	/** The topics wanted, by channel. */
	private final Map<String, String> wanted = new ConcurrentHashMap<>();

	/** The node each wanted channel was last confirmed on. */
	private final Map<String, String> confirmed = new ConcurrentHashMap<>();

	/**
	 * When a subscribe still in flight was sent, by channel: the check does not pile up more behind
	 * it for a while, nor waits forever for one stuck on the connection to a dead node.
	 */
	private final Map<String, Long> pending = new ConcurrentHashMap<>();

	private volatile @Nullable StatefulRedisPubSubConnection<String, String> connection;

	private volatile boolean closed;

	/** Checks in a row that found the connection closed. */
	private int closedChecks;

	/**
	 * @param connectionFactory the application's Lettuce connections, whose client is used
	 * @param channelOf the channel of a topic
	 * @param listener told of messages and of confirmed subscriptions
	 */
	TopicChannels(RedisConnectionFactory connectionFactory, Function<String, String> channelOf, Listener listener) {
		if (!(connectionFactory instanceof LettuceConnectionFactory lettuce)) {
			throw new IllegalArgumentException("the Redis broker needs a LettuceConnectionFactory, not "
					+ connectionFactory.getClass().getName());
		}
		this.client = lettuce.getRequiredNativeClient();
		this.sharded = this.client instanceof RedisClusterClient;
		this.channelOf = channelOf;
		this.listener = listener;
	}

	/**
	 * Whether notifications use sharded pub/sub (on a Redis Cluster).
	 */
	static boolean isSharded(RedisConnectionFactory connectionFactory) {
		return connectionFactory instanceof LettuceConnectionFactory lettuce && lettuce.isClusterAware();
	}

	/**
	 * Open the connection if it is not open yet.
	 * @return whether it is open
	 */
	synchronized boolean connect() {
		if (this.connection != null) {
			return true;
		}
		if (this.closed) {
			return false;
		}
		try {
			StatefulRedisPubSubConnection<String, String> connection;
			if (this.client instanceof RedisClusterClient cluster) {
				StatefulRedisClusterPubSubConnection<String, String> clusterConnection = cluster
					.connectPubSub(StringCodec.UTF8);
				clusterConnection.addListener(new ClusterEvents());
				connection = clusterConnection;
			}
			else {
				connection = ((RedisClient) this.client).connectPubSub(StringCodec.UTF8);
				connection.addListener(new Events());
			}
			this.connection = connection;
		}
		catch (RuntimeException ex) {
			logger.debug("Cannot open the Redis pub/sub connection yet", ex);
			return false;
		}
		this.wanted.keySet().forEach(this::send);
		return true;
	}

	/** Whether the connection is open. */
	boolean isListening() {
		StatefulRedisPubSubConnection<String, String> connection = this.connection;
		return connection != null && connection.isOpen();
	}

	/** Whether Redis confirmed the subscription to a topic's channel. */
	boolean isConfirmed(String topic) {
		return this.confirmed.containsKey(this.channelOf.apply(topic));
	}

	/** Listen to a topic's channel until {@link #unsubscribe(String) unsubscribed}. */
	void subscribe(String topic) {
		String channel = this.channelOf.apply(topic);
		this.wanted.put(channel, topic);
		send(channel);
	}

	/** Stop listening to a topic's channel. */
	void unsubscribe(String topic) {
		String channel = this.channelOf.apply(topic);
		this.wanted.remove(channel);
		this.confirmed.remove(channel);
		this.pending.remove(channel);
		drop(channel);
	}

	/**
	 * Open the connection if Redis was unreachable so far, and subscribe again what is wanted and
	 * not confirmed where it should be.
	 */
	void check() {
		if (!connect()) {
			return;
		}
		StatefulRedisPubSubConnection<String, String> connection = Objects.requireNonNull(this.connection);
		if (!connection.isOpen() && !this.sharded) {
			// Lettuce subscribes again once it reconnects; whatever it does not know is sent then
			this.confirmed.clear();
			return;
		}
		if (!connection.isOpen()) {
			// sharded subscriptions live on the connections to the nodes of their slots, but the node of
			// this one may be gone for good: start over on another one after a while
			if (++this.closedChecks >= REOPEN_AFTER_CHECKS) {
				reopen(connection);
				return;
			}
		}
		else {
			this.closedChecks = 0;
		}
		Partitions partitions = (this.client instanceof RedisClusterClient cluster) ? cluster.getPartitions() : null;
		for (String channel : this.wanted.keySet()) {
			String node = this.confirmed.get(channel);
			boolean moved = node != null && partitions != null && !ANY_NODE.equals(node)
					&& !node.equals(owner(partitions, channel));
			Long sent = this.pending.get(channel);
			if ((node == null || moved) && (sent == null || System.nanoTime() - sent > PENDING_LIMIT.toNanos())) {
				send(channel);
			}
		}
	}

	private synchronized void reopen(StatefulRedisPubSubConnection<String, String> connection) {
		if (this.connection == connection) {
			this.connection = null;
			this.closedChecks = 0;
			this.confirmed.clear();
			connection.closeAsync();
			connect();
		}
	}

	@Override
	public synchronized void close() {
		this.closed = true;
		StatefulRedisPubSubConnection<String, String> connection = this.connection;
		if (connection != null) {
			connection.closeAsync();
			this.connection = null;
		}
		this.wanted.clear();
		this.confirmed.clear();
		this.pending.clear();
	}

	private void send(String channel) {
		RedisPubSubAsyncCommands<String, String> commands = commands();
		if (commands != null) {
			Long sent = System.nanoTime();
			this.pending.put(channel, sent);
			handle(this.sharded ? commands.ssubscribe(channel) : commands.subscribe(channel), "subscribe", channel)
				.whenComplete((result, ex) -> this.pending.remove(channel, sent));
		}
	}

	private void drop(String channel) {
		RedisPubSubAsyncCommands<String, String> commands = commands();
		if (commands != null) {
			handle(this.sharded ? commands.sunsubscribe(channel) : commands.unsubscribe(channel), "unsubscribe", channel);
		}
	}

	private @Nullable RedisPubSubAsyncCommands<String, String> commands() {
		StatefulRedisPubSubConnection<String, String> connection = this.connection;
		if (connection == null) {
			return null;
		}
		// while disconnected, Lettuce would refuse or queue the command: the check sends it later; on a
		// cluster, sharded commands go to the node of their slot whatever the state of this one
		return (this.sharded || connection.isOpen()) ? connection.async() : null;
	}

	private static CompletionStage<?> handle(CompletionStage<?> command, String what, String channel) {
		return command.exceptionally((ex) -> {
			logger.debug("Redis pub/sub " + what + " of " + channel + " failed; the periodic check tries again", ex);
			return null;
		});
	}

	private void subscribed(String channel, String node) {
		String topic = this.wanted.get(channel);
		if (topic == null) {
			// a channel left meanwhile, subscribed again by a reconnect
			drop(channel);
			return;
		}
		this.confirmed.put(channel, node);
		this.listener.subscribed(topic);
	}

	private void unsubscribed(String channel, String node) {
		this.confirmed.remove(channel, node);
		if (this.wanted.containsKey(channel)) {
			// Redis dropped it (the slot moved to another node) or it was left and wanted again since
			send(channel);
		}
	}

	private static @Nullable String owner(Partitions partitions, String channel) {
		RedisClusterNode owner = partitions.getMasterBySlot(SlotHash.getSlot(channel));
		return (owner != null) ? owner.getNodeId() : null;
	}

	private static String nodeId(@Nullable RedisClusterNode node) {
		return (node != null && node.getNodeId() != null) ? node.getNodeId() : ANY_NODE;
	}

	/** What the broker hears from the channels. */
	interface Listener {

		/** A notification arrived. */
		void message(String body);

		/** Redis confirmed a subscription to a topic's channel (again, after a reconnect, say). */
		void subscribed(String topic);

	}

	private final class Events extends RedisPubSubAdapter<String, String> {

		@Override
		public void message(String channel, String message) {
			TopicChannels.this.listener.message(message);
		}

		@Override
		public void subscribed(String channel, long count) {
			TopicChannels.this.subscribed(channel, ANY_NODE);
		}

		@Override
		public void unsubscribed(String channel, long count) {
			TopicChannels.this.unsubscribed(channel, ANY_NODE);
		}

	}

	private final class ClusterEvents extends RedisClusterPubSubAdapter<String, String> {

		@Override
		public void smessage(RedisClusterNode node, String channel, String message) {
			TopicChannels.this.listener.message(message);
		}

		@Override
		public void ssubscribed(RedisClusterNode node, String channel, long count) {
			TopicChannels.this.subscribed(channel, nodeId(node));
		}

		@Override
		public void sunsubscribed(RedisClusterNode node, String channel, long count) {
			TopicChannels.this.unsubscribed(channel, nodeId(node));
		}

	}

}
