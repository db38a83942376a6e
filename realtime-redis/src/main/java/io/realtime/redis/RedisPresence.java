package io.realtime.redis;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

import io.realtime.core.BrokerUnavailableException;
import io.realtime.core.Presence;
import io.realtime.core.PresenceLimitException;
import io.realtime.core.PresenceListener;
import io.realtime.core.PresenceMember;
import io.realtime.core.Topics;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.core.io.ClassPathResource;
import org.springframework.dao.DataAccessException;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.util.StreamUtils;

/**
 * {@link Presence} shared by every application instance on the same Redis. A topic's members
 * are a hash and a sorted set of renewal deadlines ({@code <namespace>:{<topic>}:presence…}, in
 * the slot of the topic's keys), changed only by one Lua script, which also announces each join
 * and leave on the topic's news channel ({@code <namespace>:{<topic>}:presence-news}). An
 * instance listens to that channel, on a pub/sub connection of its own, only while it has local
 * listeners on the topic.
 *
 * <p>Each instance renews its members every {@linkplain #setHeartbeat(Duration) heartbeat}: a
 * member runs out two heartbeats after its last renewal, and every script run on the topic, the
 * heartbeat of any instance with listeners on it included, lets the members that ran out leave,
 * with news. So the members of an instance that stopped without a goodbye (killed, cut off from
 * Redis) leave within three heartbeats. Members an instance still holds that ran out meanwhile
 * (Redis was unreachable for longer) join again at its next heartbeat.
 *
 * @since 0.1.0
 */
public final class RedisPresence implements Presence, AutoCloseable {

	private static final Log logger = LogFactory.getLog(RedisPresence.class);

	/** Heartbeat used unless {@link #setHeartbeat(Duration)} says otherwise. */
	public static final Duration DEFAULT_HEARTBEAT = Duration.ofSeconds(5);

	private static final String SCRIPT_TEXT = load("presence.lua");

	private static final RedisScript<Long> CHANGE = RedisScript.of(SCRIPT_TEXT, Long.class);

	@SuppressWarnings("rawtypes")
	private static final RedisScript<List> READ = RedisScript.of(SCRIPT_TEXT, List.class);

	/** Longest a new listener waits for Redis to confirm its topic's channel. */
	private static final Duration LISTEN_WAIT = Duration.ofSeconds(5);

	private final RedisConnectionFactory connectionFactory;

	private final StringRedisTemplate redis;

	private final int maxMembers;

	private final String publishCommand;

	private String namespace = RedisBroker.DEFAULT_NAMESPACE;

	private Duration heartbeat = DEFAULT_HEARTBEAT;

	/** This instance's members, by topic and id: renewed every heartbeat. */
	private final Map<String, Map<String, PresenceMember>> members = new ConcurrentHashMap<>();

	/** This instance's listeners, by topic. */
	private final Map<String, Listeners> listeners = new ConcurrentHashMap<>();

	private @Nullable ScheduledThreadPoolExecutor executor;

	private @Nullable TopicChannels channels;

	/**
	 * Create a presence; {@link #start() start} it before use.
	 * @param connectionFactory the Redis connections, a {@code LettuceConnectionFactory}
	 * @param maxMembers the most members one topic holds, at least 1
	 */
	public RedisPresence(RedisConnectionFactory connectionFactory, int maxMembers) {
		this.connectionFactory = Objects.requireNonNull(connectionFactory, "connectionFactory must not be null");
		if (maxMembers < 1) {
			throw new IllegalArgumentException("maxMembers must be at least 1");
		}
		this.maxMembers = maxMembers;
		this.redis = new StringRedisTemplate(connectionFactory);
		this.publishCommand = TopicChannels.isSharded(connectionFactory) ? "SPUBLISH" : "PUBLISH";
	}

	/**
	 * Set the prefix of every Redis key and channel, as the broker's.
	 * @param namespace the prefix, such as {@code realtime} (the default)
	 */
	public void setNamespace(String namespace) {
		if (namespace == null || namespace.isBlank()) {
			throw new IllegalArgumentException("namespace must not be empty");
		}
		this.namespace = namespace;
	}

	/**
	 * Set how often this instance renews its members; those of an instance that stopped renewing
	 * leave within three heartbeats.
	 * @param heartbeat the interval, at least 100 ms (5 seconds by default)
	 */
	public void setHeartbeat(Duration heartbeat) {
		Objects.requireNonNull(heartbeat, "heartbeat must not be null");
		if (heartbeat.toMillis() < 100) {
			throw new IllegalArgumentException("heartbeat must be at least 100 ms");
		}
		this.heartbeat = heartbeat;
	}

	/** Start renewing members and listening; Redis need not be reachable yet. */
	public synchronized void start() {
		if (this.executor != null) {
			return;
		}
		TopicChannels channels = new TopicChannels(this.connectionFactory, this::channel, new News());
		ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, (task) -> {
			Thread thread = new Thread(task, "realtime-redis-presence");
			thread.setDaemon(true);
			return thread;
		});
		this.channels = channels;
		this.executor = executor;
		channels.connect();
		long period = this.heartbeat.toMillis();
		executor.scheduleWithFixedDelay(this::beat, period, period, TimeUnit.MILLISECONDS);
	}

	/** Leave with every member of this instance, and stop. */
	@Override
	public void close() {
		this.members.forEach((topic, held) -> held.keySet().forEach((id) -> {
			try {
				change(topic, "leave", id);
			}
			catch (RuntimeException ex) {
				// they run out by themselves
			}
		}));
		this.members.clear();
		halt();
	}

	/**
	 * Stop renewing and listening without a goodbye, as an instance that is killed: its members
	 * stay in Redis until they run out, within three heartbeats, and leave then. For a stop that
	 * must not wait for Redis, and for tests of the bound.
	 */
	public synchronized void halt() {
		if (this.executor != null) {
			this.executor.shutdownNow();
			this.executor = null;
		}
		if (this.channels != null) {
			this.channels.close();
			this.channels = null;
		}
	}

	@Override
	public Registration join(String topic, PresenceMember member) {
		Topics.requireValid(topic);
		Objects.requireNonNull(member, "member must not be null");
		// held first, so a heartbeat meanwhile renews rather than forgets it
		Map<String, PresenceMember> held = this.members.computeIfAbsent(topic, (key) -> new ConcurrentHashMap<>());
		if (held.putIfAbsent(member.id(), member) != null) {
			throw new IllegalStateException("'" + member.id() + "' is present on '" + topic + "' already");
		}
		long answer;
		try {
			answer = change(topic, "join", member.id(), encode(member));
		}
		catch (RuntimeException ex) {
			forget(topic, member.id());
			throw ex;
		}
		if (answer != 1) {
			forget(topic, member.id());
			if (answer == -1) {
				throw new IllegalStateException("'" + member.id() + "' is present on '" + topic + "' already");
			}
			throw new PresenceLimitException(
					"'" + topic + "' holds " + this.maxMembers + " members already, try again later");
		}
		AtomicBoolean closed = new AtomicBoolean();
		return () -> {
			if (closed.compareAndSet(false, true)) {
				forget(topic, member.id());
				try {
					change(topic, "leave", member.id());
				}
				catch (RuntimeException ex) {
					logger.debug("Presence leave not written; the member runs out by itself", ex);
				}
			}
		};
	}

	@Override
	public List<PresenceMember> members(String topic) {
		Topics.requireValid(topic);
		List<?> values;
		try {
			values = this.redis.execute(READ, keys(topic), arguments(topic, "members"));
		}
		catch (DataAccessException ex) {
			throw unavailable(ex);
		}
		List<String[]> ordered = new ArrayList<>();
		if (values != null) {
			for (Object value : values) {
				ordered.add(value.toString().split("\n", 2));
			}
		}
		ordered.sort(Comparator.comparingLong((parts) -> Long.parseLong(parts[0])));
		return ordered.stream().map((parts) -> decode(parts[1])).toList();
	}

	@Override
	public Registration listen(String topic, PresenceListener listener) {
		Topics.requireValid(topic);
		Objects.requireNonNull(listener, "listener must not be null");
		Listeners held = this.listeners.compute(topic, (key, present) -> {
			Listeners topicListeners = (present != null) ? present : new Listeners();
			topicListeners.all.add(listener);
			if (present == null && this.channels != null) {
				this.channels.subscribe(key);
			}
			return topicListeners;
		});
		TopicChannels channels = this.channels;
		if (channels != null && channels.isConfirmed(topic)) {
			held.confirmed.complete(null);
		}
		// news is heard once Redis confirms the channel: wait for it, so none after this call is missed
		try {
			held.confirmed.get(LISTEN_WAIT.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		catch (ExecutionException | TimeoutException ex) {
			logger.debug("Redis has not confirmed the presence news channel of '" + topic + "' yet");
		}
		AtomicBoolean closed = new AtomicBoolean();
		return () -> {
			if (closed.compareAndSet(false, true)) {
				this.listeners.computeIfPresent(topic, (key, present) -> {
					present.all.remove(listener);
					if (present.all.isEmpty()) {
						if (this.channels != null) {
							this.channels.unsubscribe(key);
						}
						return null;
					}
					return present;
				});
			}
		};
	}

	/** Renew this instance's members, and let those that ran out on topics listened to leave. */
	private void beat() {
		List<String> topics = new ArrayList<>(this.members.keySet());
		this.listeners.keySet().stream().filter((topic) -> !this.members.containsKey(topic)).forEach(topics::add);
		for (String topic : topics) {
			Map<String, PresenceMember> held = this.members.getOrDefault(topic, Map.of());
			List<String> renewals = new ArrayList<>();
			held.values().forEach((member) -> {
				renewals.add(member.id());
				renewals.add(encode(member));
			});
			try {
				change(topic, "refresh", renewals.toArray(String[]::new));
			}
			catch (RuntimeException ex) {
				logger.debug("Presence of '" + topic + "' not renewed; trying again at the next heartbeat", ex);
			}
		}
		TopicChannels channels = this.channels;
		if (channels != null) {
			channels.check();
		}
	}

	private long change(String topic, String op, String... more) {
		Long answer;
		try {
			answer = this.redis.execute(CHANGE, keys(topic), arguments(topic, op, more));
		}
		catch (DataAccessException ex) {
			throw unavailable(ex);
		}
		return (answer != null) ? answer : 0;
	}

	private Object[] arguments(String topic, String op, String... more) {
		Object[] arguments = new Object[6 + more.length];
		arguments[0] = op;
		arguments[1] = channel(topic);
		arguments[2] = topic;
		arguments[3] = this.publishCommand;
		arguments[4] = Long.toString(this.heartbeat.toMillis() * 2);
		arguments[5] = Integer.toString(this.maxMembers);
		System.arraycopy(more, 0, arguments, 6, more.length);
		return arguments;
	}

	private List<String> keys(String topic) {
		String prefix = this.namespace + ":{" + topic + "}:presence";
		return List.of(prefix, prefix + "-deadlines", prefix + "-sequence");
	}

	private String channel(String topic) {
		return this.namespace + ":{" + topic + "}:presence-news";
	}

	private void forget(String topic, String id) {
		this.members.computeIfPresent(topic, (key, held) -> {
			held.remove(id);
			return held.isEmpty() ? null : held;
		});
	}

	/** {@code id \n info \n =user}: the id has no line break, compact JSON neither; the user goes last. */
	static String encode(PresenceMember member) {
		return member.id() + "\n" + ((member.info() != null) ? member.info() : "") + "\n"
				+ ((member.user() != null) ? "=" + member.user() : "");
	}

	static PresenceMember decode(String encoded) {
		String[] parts = encoded.split("\n", 3);
		String info = (parts.length > 1 && !parts[1].isEmpty()) ? parts[1] : null;
		String user = (parts.length > 2 && parts[2].startsWith("=")) ? parts[2].substring(1) : null;
		return new PresenceMember(parts[0], user, info);
	}

	private static BrokerUnavailableException unavailable(Throwable ex) {
		return new BrokerUnavailableException("presence (Redis) is unavailable, try again later", ex);
	}

	private static String load(String name) {
		try {
			return StreamUtils.copyToString(new ClassPathResource(name, RedisPresence.class).getInputStream(),
					StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			throw new IllegalStateException("Cannot load " + name, ex);
		}
	}

	/** The listeners of one topic on this instance, and Redis's confirmation of its channel. */
	private static final class Listeners {

		private final List<PresenceListener> all = new CopyOnWriteArrayList<>();

		private final CompletableFuture<Void> confirmed = new CompletableFuture<>();

	}

	/** Hands the news of every topic listened to to its listeners. */
	private final class News implements TopicChannels.Listener {

		@Override
		public void message(String body) {
			// topic \n join|leave \n member
			String[] parts = body.split("\n", 3);
			if (parts.length < 3) {
				return;
			}
			Listeners held = RedisPresence.this.listeners.get(parts[0]);
			if (held == null) {
				return;
			}
			PresenceMember member = decode(parts[2]);
			boolean joined = parts[1].equals("join");
			for (PresenceListener listener : held.all) {
				if (joined) {
					listener.onJoin(parts[0], member);
				}
				else {
					listener.onLeave(parts[0], member);
				}
			}
		}

		@Override
		public void subscribed(String topic) {
			Listeners held = RedisPresence.this.listeners.get(topic);
			if (held != null) {
				held.confirmed.complete(null);
			}
		}

	}

}
