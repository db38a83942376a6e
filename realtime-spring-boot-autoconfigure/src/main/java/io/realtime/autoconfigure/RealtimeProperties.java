package io.realtime.autoconfigure;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.DeprecatedConfigurationProperty;
import org.springframework.util.unit.DataSize;

/**
 * Configuration properties of the realtime endpoints and the in-memory broker.
 *
 * @since 0.1.0
 */
@ConfigurationProperties("realtime")
public class RealtimeProperties {

	/**
	 * Path under which every endpoint is mapped.
	 */
	private String basePath = "/realtime";

	/**
	 * Origin patterns allowed to open WebSockets and to call the HTTP endpoints cross-origin.
	 * Empty means same origin only.
	 */
	private List<String> allowedOrigins = new ArrayList<>();

	/**
	 * Largest message a client may publish, counted in bytes of the raw body or frame.
	 */
	private DataSize maxMessageSize = DataSize.ofKilobytes(64);

	/**
	 * Most concurrent SSE, WebSocket and waiting long-poll connections; further ones get 503.
	 * Unset: what half the heap holds at 128 KB a connection, between 100 and 10,000 (2,048 on
	 * a 512 MB heap).
	 */
	private @Nullable Integer maxConnections;

	/**
	 * Threads that write to SSE streams and WebSockets. Unset: four per core, at least 8.
	 */
	private @Nullable Integer writerThreads;

	/**
	 * Most topics one request or WebSocket connection may subscribe to.
	 */
	private int maxTopicsPerConnection = 100;

	/**
	 * Most topics the broker holds at once (topics with history or subscribers); past it, a
	 * client publish or subscribe that would create a topic gets 503. Defaults to one per 16KB
	 * of the maximum heap, at least 1000.
	 */
	private @Nullable Integer maxTopics;

	/**
	 * Most bytes queued for one slow SSE stream or WebSocket before it is closed (WebSocket with
	 * code 1013); the client resumes where it stopped.
	 */
	private DataSize sendBufferSize = DataSize.ofKilobytes(512);

	/**
	 * Longest time one WebSocket frame, or one write of SSE events or of a long poll's reply on a
	 * connection carried past its request, may take before the connection is closed.
	 */
	private Duration sendTimeLimit = Duration.ofSeconds(10);

	private final Broker broker = new Broker();

	private final History history = new History();

	private final Poll poll = new Poll();

	private final LongPoll longPoll = new LongPoll();

	private final Sse sse = new Sse();

	private final Websocket websocket = new Websocket();

	private final Publish publish = new Publish();

	private final Client client = new Client();

	private final FastPaths fastPaths = new FastPaths();

	private final Limits limits = new Limits();

	private final Presence presence = new Presence();

	private final Upload upload = new Upload();

	public String getBasePath() {
		return this.basePath;
	}

	public void setBasePath(String basePath) {
		this.basePath = basePath;
	}

	public List<String> getAllowedOrigins() {
		return this.allowedOrigins;
	}

	public void setAllowedOrigins(List<String> allowedOrigins) {
		this.allowedOrigins = allowedOrigins;
	}

	public DataSize getMaxMessageSize() {
		return this.maxMessageSize;
	}

	public void setMaxMessageSize(DataSize maxMessageSize) {
		this.maxMessageSize = maxMessageSize;
	}

	public @Nullable Integer getWriterThreads() {
		return this.writerThreads;
	}

	public void setWriterThreads(@Nullable Integer writerThreads) {
		this.writerThreads = writerThreads;
	}

	public @Nullable Integer getMaxConnections() {
		return this.maxConnections;
	}

	public void setMaxConnections(@Nullable Integer maxConnections) {
		this.maxConnections = maxConnections;
	}

	public @Nullable Integer getMaxTopics() {
		return this.maxTopics;
	}

	public void setMaxTopics(@Nullable Integer maxTopics) {
		this.maxTopics = maxTopics;
	}

	public int getMaxTopicsPerConnection() {
		return this.maxTopicsPerConnection;
	}

	public void setMaxTopicsPerConnection(int maxTopicsPerConnection) {
		this.maxTopicsPerConnection = maxTopicsPerConnection;
	}

	@SuppressWarnings("removal")
	public DataSize getSendBufferSize() {
		// the old name, realtime.websocket.send-buffer-size, still wins when set
		DataSize old = this.websocket.getSendBufferSize();
		return (old != null) ? old : this.sendBufferSize;
	}

	public void setSendBufferSize(DataSize sendBufferSize) {
		this.sendBufferSize = sendBufferSize;
	}

	@SuppressWarnings("removal")
	public Duration getSendTimeLimit() {
		// the old name, realtime.websocket.send-time-limit, still wins when set
		Duration old = this.websocket.getSendTimeLimit();
		return (old != null) ? old : this.sendTimeLimit;
	}

	public void setSendTimeLimit(Duration sendTimeLimit) {
		this.sendTimeLimit = sendTimeLimit;
	}

	public Broker getBroker() {
		return this.broker;
	}

	public History getHistory() {
		return this.history;
	}

	public Poll getPoll() {
		return this.poll;
	}

	public LongPoll getLongPoll() {
		return this.longPoll;
	}

	public Sse getSse() {
		return this.sse;
	}

	public Websocket getWebsocket() {
		return this.websocket;
	}

	public Publish getPublish() {
		return this.publish;
	}

	public Client getClient() {
		return this.client;
	}

	public FastPaths getFastPaths() {
		return this.fastPaths;
	}

	public Limits getLimits() {
		return this.limits;
	}

	public Presence getPresence() {
		return this.presence;
	}

	public static class Broker {

		/**
		 * Broker that holds messages: 'memory' for this instance alone, 'redis' to share them
		 * between instances. Defaults to 'redis' when realtime-redis and a Redis connection are
		 * present.
		 */
		private @Nullable Type type;

		public @Nullable Type getType() {
			return this.type;
		}

		public void setType(@Nullable Type type) {
			this.type = type;
		}

		/**
		 * The brokers to choose from.
		 */
		public enum Type {

			/**
			 * Messages live in this JVM: one instance, or sticky clients.
			 */
			MEMORY,

			/**
			 * Messages live in Redis and reach every instance on it.
			 */
			REDIS

		}

	}

	public static class History {

		/**
		 * Most messages kept per topic for resuming clients.
		 */
		private int size = 1000;

		/**
		 * How long a message stays in history.
		 */
		private Duration ttl = Duration.ofMinutes(5);

		/**
		 * Most bytes of history kept across every topic, each message counting its payload's
		 * characters plus 128 bytes; past it, the oldest messages of any topic go first.
		 * Defaults to a quarter of the maximum heap.
		 */
		private @Nullable DataSize maxBytes;

		/**
		 * Most messages a subscriber may ask for from before it starts ('rewind'); a request for
		 * more is refused, and fewer arrive when history holds fewer. 0 turns rewind off.
		 */
		private int maxRewind = 100;

		public int getSize() {
			return this.size;
		}

		public void setSize(int size) {
			this.size = size;
		}

		public Duration getTtl() {
			return this.ttl;
		}

		public void setTtl(Duration ttl) {
			this.ttl = ttl;
		}

		public @Nullable DataSize getMaxBytes() {
			return this.maxBytes;
		}

		public void setMaxBytes(@Nullable DataSize maxBytes) {
			this.maxBytes = maxBytes;
		}

		public int getMaxRewind() {
			return this.maxRewind;
		}

		public void setMaxRewind(int maxRewind) {
			this.maxRewind = maxRewind;
		}

	}

	public static class Poll {

		/**
		 * Whether the regular polling endpoint is enabled.
		 */
		private boolean enabled = true;

		/**
		 * Most messages in one poll or long-poll reply.
		 */
		private int maxBatch = 100;

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public int getMaxBatch() {
			return this.maxBatch;
		}

		public void setMaxBatch(int maxBatch) {
			this.maxBatch = maxBatch;
		}

	}

	public static class LongPoll {

		/**
		 * Whether the long-polling endpoint is enabled.
		 */
		private boolean enabled = true;

		/**
		 * How long a long-poll request waits for a message before it answers empty.
		 */
		private Duration timeout = Duration.ofSeconds(30);

		/**
		 * Whether a long poll that has to wait is taken over from its request where the container
		 * allows it (Tomcat over HTTP/1.1), so a waiting poll keeps no request buffers (about 75 KB
		 * less heap each). Its reply then closes the connection: every poll that waited costs the
		 * client a new connection.
		 */
		private boolean detach;

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public Duration getTimeout() {
			return this.timeout;
		}

		public void setTimeout(Duration timeout) {
			this.timeout = timeout;
		}

		public boolean isDetach() {
			return this.detach;
		}

		public void setDetach(boolean detach) {
			this.detach = detach;
		}

	}

	public static class Sse {

		/**
		 * Whether the Server-Sent Events endpoint is enabled.
		 */
		private boolean enabled = true;

		/**
		 * Interval between keep-alive comments.
		 */
		private Duration heartbeat = Duration.ofSeconds(15);

		/**
		 * Reconnect delay advised to clients in the stream's retry field.
		 */
		private Duration retry = Duration.ofSeconds(3);

		/**
		 * Whether an open stream is taken over from its request where the container allows it
		 * (Tomcat over HTTP/1.1), so the request's buffers (about 60 KB) are freed while the
		 * stream stays open. The response then has "Connection: close" and no chunked encoding.
		 */
		private boolean detach = true;

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public Duration getHeartbeat() {
			return this.heartbeat;
		}

		public void setHeartbeat(Duration heartbeat) {
			this.heartbeat = heartbeat;
		}

		public Duration getRetry() {
			return this.retry;
		}

		public void setRetry(Duration retry) {
			this.retry = retry;
		}

		public boolean isDetach() {
			return this.detach;
		}

		public void setDetach(boolean detach) {
			this.detach = detach;
		}

	}

	public static class Websocket {

		/**
		 * Whether the WebSocket endpoint is enabled.
		 */
		private boolean enabled = true;

		/**
		 * Interval between ping frames; a connection that misses two pongs is closed.
		 */
		private Duration pingInterval = Duration.ofSeconds(25);

		/** Old name of realtime.send-buffer-size, read for one more version. */
		private @Nullable DataSize sendBufferSize;

		/** Old name of realtime.send-time-limit, read for one more version. */
		private @Nullable Duration sendTimeLimit;

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public Duration getPingInterval() {
			return this.pingInterval;
		}

		public void setPingInterval(Duration pingInterval) {
			this.pingInterval = pingInterval;
		}

		@Deprecated(since = "0.1.0", forRemoval = true)
		@DeprecatedConfigurationProperty(replacement = "realtime.send-buffer-size", since = "0.1.0")
		public @Nullable DataSize getSendBufferSize() {
			return this.sendBufferSize;
		}

		@Deprecated(since = "0.1.0", forRemoval = true)
		public void setSendBufferSize(@Nullable DataSize sendBufferSize) {
			this.sendBufferSize = sendBufferSize;
		}

		@Deprecated(since = "0.1.0", forRemoval = true)
		@DeprecatedConfigurationProperty(replacement = "realtime.send-time-limit", since = "0.1.0")
		public @Nullable Duration getSendTimeLimit() {
			return this.sendTimeLimit;
		}

		@Deprecated(since = "0.1.0", forRemoval = true)
		public void setSendTimeLimit(@Nullable Duration sendTimeLimit) {
			this.sendTimeLimit = sendTimeLimit;
		}

	}

	public static class Publish {

		/**
		 * Whether clients may publish over HTTP (POST) at all; WebSocket publishing follows the
		 * same allowed topics.
		 */
		private boolean enabled = true;

		/**
		 * Topic patterns clients may publish to, such as 'chat' or 'news/**'. Empty means none.
		 */
		private List<String> allowedTopics = new ArrayList<>();

		/**
		 * How long a client may take to send a publish body; past it the request is answered
		 * 408 and the connection closed. The body is read without holding a thread meanwhile.
		 */
		private Duration bodyTimeout = Duration.ofSeconds(10);

		/**
		 * Most bytes of publish bodies over 8 KB still on their way at once (each counted up to
		 * max-message-size); past it such a publish gets 503. Unset: a sixteenth of the heap.
		 */
		private @Nullable DataSize bodiesInFlight;

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public List<String> getAllowedTopics() {
			return this.allowedTopics;
		}

		public void setAllowedTopics(List<String> allowedTopics) {
			this.allowedTopics = allowedTopics;
		}

		public Duration getBodyTimeout() {
			return this.bodyTimeout;
		}

		public void setBodyTimeout(Duration bodyTimeout) {
			this.bodyTimeout = bodyTimeout;
		}

		public @Nullable DataSize getBodiesInFlight() {
			return this.bodiesInFlight;
		}

		public void setBodiesInFlight(@Nullable DataSize bodiesInFlight) {
			this.bodiesInFlight = bodiesInFlight;
		}

	}

	public Upload getUpload() {
		return this.upload;
	}

	public static class Upload {

		/**
		 * Whether to serve resumable uploads (tus 1.0) at {base}/uploads. Off unless enabled, since
		 * it writes clients' files to disk.
		 */
		private boolean enabled;

		/**
		 * Directory uploads are written to. Unset: 'realtime-uploads' in the temporary directory.
		 */
		private @Nullable Path directory;

		/**
		 * Largest upload accepted; a larger Upload-Length is answered 413.
		 */
		private DataSize maxSize = DataSize.ofGigabytes(1);

		/**
		 * How long an unfinished upload is kept after its last bytes arrived; then its file is deleted.
		 */
		private Duration expiry = Duration.ofHours(24);

		/**
		 * How often expired uploads are looked for.
		 */
		private Duration cleanupInterval = Duration.ofMinutes(1);

		/**
		 * Most unfinished uploads one client (principal, else address) may hold; past it creation is
		 * answered 429.
		 */
		private int maxUnfinishedPerClient = 5;

		/**
		 * Most bytes all unfinished uploads may reserve at once, each counted at its full length;
		 * past it creation is answered 507.
		 */
		private DataSize diskBudget = DataSize.ofGigabytes(10);

		/**
		 * How long a request body may send nothing before the request is ended (408, connection
		 * closed), keeping what arrived and letting the upload go; a body still sending has no
		 * deadline.
		 */
		private Duration bodyIdleTimeout = Duration.ofSeconds(30);

		/**
		 * Most uploads known at once, finished ones included (kept until they expire); past it
		 * creation is answered 503. Bounds the uploads' memory and files whatever the number of
		 * clients.
		 */
		private int maxUploads = 10_000;

		public int getMaxUploads() {
			return this.maxUploads;
		}

		public void setMaxUploads(int maxUploads) {
			this.maxUploads = maxUploads;
		}

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public @Nullable Path getDirectory() {
			return this.directory;
		}

		public void setDirectory(@Nullable Path directory) {
			this.directory = directory;
		}

		public DataSize getMaxSize() {
			return this.maxSize;
		}

		public void setMaxSize(DataSize maxSize) {
			this.maxSize = maxSize;
		}

		public Duration getExpiry() {
			return this.expiry;
		}

		public void setExpiry(Duration expiry) {
			this.expiry = expiry;
		}

		public Duration getCleanupInterval() {
			return this.cleanupInterval;
		}

		public void setCleanupInterval(Duration cleanupInterval) {
			this.cleanupInterval = cleanupInterval;
		}

		public int getMaxUnfinishedPerClient() {
			return this.maxUnfinishedPerClient;
		}

		public void setMaxUnfinishedPerClient(int maxUnfinishedPerClient) {
			this.maxUnfinishedPerClient = maxUnfinishedPerClient;
		}

		public DataSize getDiskBudget() {
			return this.diskBudget;
		}

		public void setDiskBudget(DataSize diskBudget) {
			this.diskBudget = diskBudget;
		}

		public Duration getBodyIdleTimeout() {
			return this.bodyIdleTimeout;
		}

		public void setBodyIdleTimeout(Duration bodyIdleTimeout) {
			this.bodyIdleTimeout = bodyIdleTimeout;
		}

	}

	public static class Client {

		/**
		 * Whether to serve the browser client at {base}/client.js.
		 */
		private boolean enabled = true;

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

	}

	public static class FastPaths {

		/**
		 * Whether the servlet container's fast paths are used where they resolve at start-up
		 * (on Tomcat: SSE streams and long polls carried past their requests, pre-encoded
		 * WebSocket frames); Spring's portable types serve otherwise.
		 */
		private boolean enabled = true;

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

	}

	public static class Limits {

		/**
		 * Whether each client's connections and rates are limited. A client is its principal's
		 * name, else its remote address; the limits hold per instance.
		 */
		private boolean enabled = true;

		/**
		 * Most SSE, WebSocket and waiting long-poll connections one client may hold at once;
		 * further ones get 429 (WebSocket: close code 1013).
		 */
		private int connectionsPerClient = 32;

		/**
		 * Most clients whose rates are tracked at once; past it the least recently seen are
		 * forgotten (a client idle until its buckets are full again is forgotten anyway).
		 */
		private int maxClients = 100_000;

		/**
		 * Publishes over HTTP and WebSocket.
		 */
		private final Rate publish = new Rate(10, 30);

		/**
		 * Subscribes: HTTP poll, long-poll and SSE requests, and WebSocket subscribe frames.
		 */
		private final Rate subscribe = new Rate(20, 100);

		/**
		 * WebSocket frames of any type, pings included.
		 */
		private final Rate websocketFrames = new Rate(50, 200);

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public int getConnectionsPerClient() {
			return this.connectionsPerClient;
		}

		public void setConnectionsPerClient(int connectionsPerClient) {
			this.connectionsPerClient = connectionsPerClient;
		}

		public int getMaxClients() {
			return this.maxClients;
		}

		public void setMaxClients(int maxClients) {
			this.maxClients = maxClients;
		}

		public Rate getPublish() {
			return this.publish;
		}

		public Rate getSubscribe() {
			return this.subscribe;
		}

		public Rate getWebsocketFrames() {
			return this.websocketFrames;
		}

		public static class Rate {

			/**
			 * Sustained rate one client may keep up, per second; fractions allowed.
			 */
			private double rate;

			/**
			 * How many one client may send at once above the rate.
			 */
			private int burst;

			Rate(double rate, int burst) {
				this.rate = rate;
				this.burst = burst;
			}

			public double getRate() {
				return this.rate;
			}

			public void setRate(double rate) {
				this.rate = rate;
			}

			public int getBurst() {
				return this.burst;
			}

			public void setBurst(int burst) {
				this.burst = burst;
			}

		}

	}

	public static class Presence {

		/**
		 * Topic patterns on which subscribers are present and may be told who joins and leaves
		 * ('room/**' also matches 'room'). Empty turns presence off.
		 */
		private List<String> topics = new ArrayList<>();

		/**
		 * Most members present on one topic; past it a subscribe to the topic is refused until
		 * one leaves.
		 */
		private int maxMembers = 1000;

		/**
		 * Largest client info a subscriber may send with its presence, as compact JSON.
		 */
		private DataSize maxInfoSize = DataSize.ofBytes(256);

		/**
		 * How long a polling client ('client' id on poll and long-poll) stays present after its
		 * last poll.
		 */
		private Duration pollTimeout = Duration.ofSeconds(15);

		/**
		 * Interval at which each instance renews its members in Redis; members of an instance that
		 * stopped without a goodbye are gone within three intervals.
		 */
		private Duration heartbeat = Duration.ofSeconds(5);

		public List<String> getTopics() {
			return this.topics;
		}

		public void setTopics(List<String> topics) {
			this.topics = topics;
		}

		public int getMaxMembers() {
			return this.maxMembers;
		}

		public void setMaxMembers(int maxMembers) {
			this.maxMembers = maxMembers;
		}

		public DataSize getMaxInfoSize() {
			return this.maxInfoSize;
		}

		public void setMaxInfoSize(DataSize maxInfoSize) {
			this.maxInfoSize = maxInfoSize;
		}

		public Duration getPollTimeout() {
			return this.pollTimeout;
		}

		public void setPollTimeout(Duration pollTimeout) {
			this.pollTimeout = pollTimeout;
		}

		public Duration getHeartbeat() {
			return this.heartbeat;
		}

		public void setHeartbeat(Duration heartbeat) {
			this.heartbeat = heartbeat;
		}

	}

}
