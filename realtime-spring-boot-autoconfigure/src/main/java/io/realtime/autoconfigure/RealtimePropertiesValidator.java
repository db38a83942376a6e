package io.realtime.autoconfigure;

import java.time.Duration;

import io.realtime.autoconfigure.redis.RealtimeRedisProperties;

import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.util.unit.DataSize;

/**
 * Every check of the realtime properties, run at start-up before anything uses them: a value no
 * broker or transport can work with fails start-up naming the property, answered by Boot's
 * failure analysis.
 *
 * @since 0.1.0
 */
public final class RealtimePropertiesValidator {

	private static final long MAX_MESSAGE_SIZE = 16 << 20;

	private static final double MAX_RATE = 1_000_000;

	private RealtimePropertiesValidator() {
	}

	/**
	 * Check the properties.
	 * @param properties the bound properties
	 * @throws InvalidConfigurationPropertyValueException naming the first property that is wrong
	 */
	public static void validate(RealtimeProperties properties) {
		String basePath = properties.getBasePath();
		if (!basePath.startsWith("/") || basePath.endsWith("/")) {
			throw new InvalidConfigurationPropertyValueException("realtime.base-path", basePath,
					"must start with '/' and not end with '/'");
		}
		long maxMessageSize = properties.getMaxMessageSize().toBytes();
		if (maxMessageSize < 1 || maxMessageSize > MAX_MESSAGE_SIZE) {
			throw new InvalidConfigurationPropertyValueException("realtime.max-message-size",
					properties.getMaxMessageSize(), "must be between 1B and 16MB");
		}
		if (properties.getWriterThreads() != null) {
			atLeastOne("realtime.writer-threads", properties.getWriterThreads());
		}
		if (properties.getMaxConnections() != null) {
			atLeastOne("realtime.max-connections", properties.getMaxConnections());
		}
		atLeastOne("realtime.max-topics-per-connection", properties.getMaxTopicsPerConnection());
		atLeastOne("realtime.history.size", properties.getHistory().getSize());
		if (properties.getHistory().getMaxRewind() < 0) {
			throw new InvalidConfigurationPropertyValueException("realtime.history.max-rewind",
					properties.getHistory().getMaxRewind(), "must not be negative");
		}
		Integer maxTopics = properties.getMaxTopics();
		if (maxTopics != null) {
			atLeastOne("realtime.max-topics", maxTopics);
		}
		DataSize maxHistoryBytes = properties.getHistory().getMaxBytes();
		if (maxHistoryBytes != null && maxHistoryBytes.toBytes() < 1) {
			throw new InvalidConfigurationPropertyValueException("realtime.history.max-bytes", maxHistoryBytes,
					"must be at least 1B");
		}
		atLeastOne("realtime.poll.max-batch", properties.getPoll().getMaxBatch());
		if (properties.getSendBufferSize().toBytes() < 1) {
			throw new InvalidConfigurationPropertyValueException("realtime.send-buffer-size",
					properties.getSendBufferSize(), "must be at least 1B");
		}
		positive("realtime.history.ttl", properties.getHistory().getTtl());
		positive("realtime.long-poll.timeout", properties.getLongPoll().getTimeout());
		positive("realtime.sse.heartbeat", properties.getSse().getHeartbeat());
		positive("realtime.websocket.ping-interval", properties.getWebsocket().getPingInterval());
		positive("realtime.send-time-limit", properties.getSendTimeLimit());
		positive("realtime.publish.body-timeout", properties.getPublish().getBodyTimeout());
		DataSize inFlight = properties.getPublish().getBodiesInFlight();
		if (inFlight != null && inFlight.toBytes() < properties.getMaxMessageSize().toBytes()) {
			throw new InvalidConfigurationPropertyValueException("realtime.publish.bodies-in-flight", inFlight,
					"must be at least realtime.max-message-size");
		}
		RealtimeProperties.Limits limits = properties.getLimits();
		atLeastOne("realtime.limits.connections-per-client", limits.getConnectionsPerClient());
		atLeastOne("realtime.limits.max-clients", limits.getMaxClients());
		rate("realtime.limits.publish", limits.getPublish());
		rate("realtime.limits.subscribe", limits.getSubscribe());
		rate("realtime.limits.websocket-frames", limits.getWebsocketFrames());
		RealtimeProperties.Presence presence = properties.getPresence();
		atLeastOne("realtime.presence.max-members", presence.getMaxMembers());
		long maxInfo = presence.getMaxInfoSize().toBytes();
		if (maxInfo < 0 || maxInfo > properties.getMaxMessageSize().toBytes()) {
			throw new InvalidConfigurationPropertyValueException("realtime.presence.max-info-size",
					presence.getMaxInfoSize(), "must be between 0B and realtime.max-message-size");
		}
		positive("realtime.presence.poll-timeout", presence.getPollTimeout());
		if (presence.getHeartbeat().toMillis() < 100) {
			throw new InvalidConfigurationPropertyValueException("realtime.presence.heartbeat", presence.getHeartbeat(),
					"must be at least 100ms");
		}
		RealtimeProperties.Upload upload = properties.getUpload();
		positive("realtime.upload.expiry", upload.getExpiry());
		positive("realtime.upload.cleanup-interval", upload.getCleanupInterval());
		positive("realtime.upload.body-idle-timeout", upload.getBodyIdleTimeout());
		atLeastOne("realtime.upload.max-unfinished-per-client", upload.getMaxUnfinishedPerClient());
		atLeastOne("realtime.upload.max-uploads", upload.getMaxUploads());
		if (upload.getMaxSize().toBytes() < 1) {
			throw new InvalidConfigurationPropertyValueException("realtime.upload.max-size", upload.getMaxSize(),
					"must be at least 1B");
		}
		if (upload.getDiskBudget().toBytes() < upload.getMaxSize().toBytes()) {
			throw new InvalidConfigurationPropertyValueException("realtime.upload.disk-budget",
					upload.getDiskBudget(), "must be at least realtime.upload.max-size");
		}
	}

	/**
	 * Check the Redis broker's properties.
	 * @param properties the bound properties
	 * @throws InvalidConfigurationPropertyValueException naming the property that is wrong
	 */
	public static void validate(RealtimeRedisProperties properties) {
		if (properties.getNamespace() == null || properties.getNamespace().isBlank()) {
			throw new InvalidConfigurationPropertyValueException("realtime.redis.namespace", properties.getNamespace(),
					"must not be empty");
		}
		if (properties.getMinReplicas() < 0) {
			throw new InvalidConfigurationPropertyValueException("realtime.redis.min-replicas",
					properties.getMinReplicas(), "must not be negative");
		}
		if (properties.getReplicaTimeout() == null || properties.getReplicaTimeout().toMillis() < 1) {
			throw new InvalidConfigurationPropertyValueException("realtime.redis.replica-timeout",
					properties.getReplicaTimeout(), "must be at least 1ms");
		}
	}

	private static void atLeastOne(String name, int value) {
		if (value < 1) {
			throw new InvalidConfigurationPropertyValueException(name, value, "must be at least 1");
		}
	}

	private static void rate(String name, RealtimeProperties.Limits.Rate rate) {
		// a token bucket refills one token per 1/rate seconds, counted in nanoseconds
		if (!(rate.getRate() > 0 && rate.getRate() <= MAX_RATE)) {
			throw new InvalidConfigurationPropertyValueException(name + ".rate", rate.getRate(),
					"must be positive and at most " + (long) MAX_RATE);
		}
		atLeastOne(name + ".burst", rate.getBurst());
	}

	private static void positive(String name, Duration value) {
		// zero would mean "never" to the servlet container and the schedulers
		if (value.isNegative() || value.isZero()) {
			throw new InvalidConfigurationPropertyValueException(name, value, "must be positive");
		}
	}

}
