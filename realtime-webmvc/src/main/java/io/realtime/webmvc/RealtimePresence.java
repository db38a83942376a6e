package io.realtime.webmvc;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.Principal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import io.realtime.core.InMemoryPresence;
import io.realtime.core.Presence;
import io.realtime.core.PresenceListener;
import io.realtime.core.PresenceMember;
import io.realtime.webmvc.RealtimeException.Reason;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.util.AntPathMatcher;

/**
 * Presence as the transports use it: on which topics it is on ({@code realtime.presence.topics}),
 * the members' identities and client info, and the polling clients, which count as present while
 * their polls keep coming within the poll timeout. Every subscriber of a topic on which presence
 * is on is a member; a subscriber that asks for it is told of the others' joins and leaves, never
 * of its own.
 *
 * @since 0.1.0
 */
public class RealtimePresence {

	/** News held for a polling client between two polls; past it the oldest go. */
	static final int MAX_NEWS = 1000;

	private static final int MAX_CLIENT_ID = 64;

	private final Presence presence;

	private final List<String> topicPatterns;

	private final AntPathMatcher matcher = new AntPathMatcher("/");

	private final int maxInfoBytes;

	private final Duration pollTimeout;

	private final WireFormat wire;

	private final JsonMapper jsonMapper;

	private final Map<String, PollClient> pollClients = new ConcurrentHashMap<>();

	private final @Nullable ScheduledThreadPoolExecutor timer;

	/**
	 * Create the presence of the transports.
	 * @param presence where members are kept
	 * @param topicPatterns the topic patterns on which presence is on ({@code room/**}); empty for none
	 * @param maxInfoBytes the largest client info, in bytes of compact JSON
	 * @param pollTimeout how long a polling client stays present after its last poll
	 * @param wire the wire format of the news held for polling clients
	 * @param jsonMapper reads client info
	 */
	public RealtimePresence(Presence presence, List<String> topicPatterns, int maxInfoBytes, Duration pollTimeout,
			WireFormat wire, JsonMapper jsonMapper) {
		this.presence = Objects.requireNonNull(presence, "presence must not be null");
		this.topicPatterns = List.copyOf(topicPatterns);
		if (maxInfoBytes < 0) {
			throw new IllegalArgumentException("maxInfoBytes must not be negative");
		}
		if (pollTimeout.toMillis() < 1) {
			throw new IllegalArgumentException("pollTimeout must be positive");
		}
		this.maxInfoBytes = maxInfoBytes;
		this.pollTimeout = pollTimeout;
		this.wire = wire;
		this.jsonMapper = jsonMapper;
		if (this.topicPatterns.isEmpty()) {
			this.timer = null;
			return;
		}
		ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, (task) -> {
			Thread thread = new Thread(task, "realtime-presence");
			thread.setDaemon(true);
			return thread;
		});
		long period = Math.max(100, pollTimeout.toMillis() / 4);
		timer.scheduleWithFixedDelay(this::sweep, period, period, TimeUnit.MILLISECONDS);
		this.timer = timer;
	}

	/**
	 * Presence off on every topic.
	 * @return the presence
	 */
	public static RealtimePresence off() {
		return new RealtimePresence(new InMemoryPresence(), List.of(), 0, Duration.ofSeconds(1), new WireFormat(),
				JsonMapper.builder().build());
	}

	/**
	 * Whether presence is on for a topic.
	 * @param topic a valid topic
	 * @return {@code true} when it matches one of the patterns
	 */
	public boolean isOn(String topic) {
		for (String pattern : this.topicPatterns) {
			if (this.matcher.match(pattern, topic)) {
				return true;
			}
		}
		return false;
	}

	/**
	 * A topic on which presence is on, or a {@code bad_request}.
	 * @param topic a valid topic
	 * @return the topic
	 */
	public String requireOn(String topic) {
		if (!isOn(topic)) {
			throw new RealtimeException(Reason.BAD_REQUEST, "presence is off on '" + topic + "'");
		}
		return topic;
	}

	/**
	 * Client info as sent in a query, or a {@code bad_request}.
	 * @param json a JSON object, or {@code null} or empty for none
	 * @return the compact JSON object, or {@code null}
	 */
	public @Nullable String info(@Nullable String json) {
		if (json == null || json.isEmpty()) {
			return null;
		}
		if (json.length() > this.maxInfoBytes * 4 + 64) {
			throw tooLargeInfo();
		}
		try {
			return info(this.jsonMapper.readTree(json));
		}
		catch (JacksonException ex) {
			throw new RealtimeException(Reason.BAD_REQUEST, "'info' is not valid JSON");
		}
	}

	/**
	 * Client info as sent in a WebSocket frame, or a {@code bad_request}.
	 * @param info a JSON object, or {@code null} for none
	 * @return the compact JSON object, or {@code null}
	 */
	public @Nullable String info(@Nullable JsonNode info) {
		if (info == null || info.isNull() || info.isMissingNode()) {
			return null;
		}
		if (!info.isObject()) {
			throw new RealtimeException(Reason.BAD_REQUEST, "'info' must be a JSON object");
		}
		String compact = this.jsonMapper.writeValueAsString(info);
		if (compact.getBytes(StandardCharsets.UTF_8).length > this.maxInfoBytes) {
			throw tooLargeInfo();
		}
		return compact;
	}

	private RealtimeException tooLargeInfo() {
		return new RealtimeException(Reason.BAD_REQUEST, "'info' is larger than " + this.maxInfoBytes + " bytes");
	}

	/**
	 * Whether a subscriber asks for news of joins and leaves: {@code presence=true}.
	 * @param flag the parameter as sent, {@code null} when absent
	 * @return {@code true} for {@code true}
	 */
	public boolean wantsNews(@Nullable String flag) {
		if (flag == null || flag.isEmpty() || flag.equals("false")) {
			return false;
		}
		if (flag.equals("true")) {
			return true;
		}
		throw new RealtimeException(Reason.BAD_REQUEST, "'presence' must be true or false");
	}

	/**
	 * A new member id for a connection.
	 * @return the id
	 */
	public static String connectionId() {
		ThreadLocalRandom random = ThreadLocalRandom.current();
		return "c" + Long.toString(random.nextLong() >>> 1, 36) + Long.toString(random.nextLong() >>> 1, 36);
	}

	/**
	 * Make a subscriber present on a topic.
	 * @param topic a topic on which presence is on
	 * @param id the member id
	 * @param principal the user, or {@code null}
	 * @param info the compact client info, or {@code null}
	 * @return the registration: close it to leave
	 * @throws io.realtime.core.PresenceLimitException when the topic holds as many members as it may
	 */
	public Presence.Registration join(String topic, String id, @Nullable Principal principal, @Nullable String info) {
		return this.presence.join(topic, new PresenceMember(id, (principal != null) ? principal.getName() : null, info));
	}

	/**
	 * Be told of the joins and leaves of everyone but oneself on a topic.
	 * @param topic a topic on which presence is on
	 * @param ownId the listener's own member id, whose news it is not told
	 * @param listener the non-blocking listener
	 * @return the registration: close it to stop
	 */
	public Presence.Registration listen(String topic, String ownId, PresenceListener listener) {
		return this.presence.listen(topic, new PresenceListener() {

			@Override
			public void onJoin(String topic, PresenceMember member) {
				if (!member.id().equals(ownId)) {
					listener.onJoin(topic, member);
				}
			}

			@Override
			public void onLeave(String topic, PresenceMember member) {
				if (!member.id().equals(ownId)) {
					listener.onLeave(topic, member);
				}
			}

		});
	}

	/**
	 * The members present on a topic.
	 * @param topic a topic on which presence is on
	 * @return the members
	 */
	public List<PresenceMember> members(String topic) {
		return this.presence.members(topic);
	}

	/**
	 * The polling client a request comes from, by the {@code client} id it chose, or a
	 * {@code bad_request}. Its member id is derived from the user and that id, so another user
	 * cannot take it over and the id it chose is not shown to others.
	 * @param principal the user, or {@code null}
	 * @param client the client's own id, 1-64 characters from {@code A-Z a-z 0-9 . _ - :}
	 * @return the client
	 */
	public PollClient pollClient(@Nullable Principal principal, String client) {
		if (client.isEmpty() || client.length() > MAX_CLIENT_ID || !client.chars()
			.allMatch((c) -> (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
					|| c == '.' || c == '_' || c == '-' || c == ':')) {
			throw new RealtimeException(Reason.BAD_REQUEST,
					"'client' must be 1-" + MAX_CLIENT_ID + " characters from A-Z a-z 0-9 . _ - :");
		}
		String user = (principal != null) ? principal.getName() : null;
		String id = "p" + digest(((user != null) ? "u" + user : "a") + "\n" + client);
		long now = System.nanoTime();
		// marked in the map's lock: the sweep cannot drop the client before its poll is recorded
		return this.pollClients.compute(id, (key, held) -> {
			PollClient polling = (held != null) ? held : new PollClient(key, user);
			polling.polled = now;
			return polling;
		});
	}

	private static String digest(String text) {
		try {
			byte[] hash = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
			return HexFormat.of().formatHex(hash, 0, 12);
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/** Let every polling client whose polls stopped coming leave. */
	void sweep() {
		long now = System.nanoTime();
		for (PollClient client : this.pollClients.values()) {
			client.sweep(now, false);
		}
	}

	/** Stop the timer; called when the bean is destroyed. */
	public void destroy() {
		if (this.timer != null) {
			this.timer.shutdownNow();
		}
		this.pollClients.values().forEach((client) -> client.sweep(System.nanoTime(), true));
	}

	/**
	 * A client that polls ({@code /poll}, {@code /long-poll}) with its own {@code client} id:
	 * present on the topics it polls while its polls keep coming, and holding the news of joins
	 * and leaves until its next poll picks them up.
	 */
	public final class PollClient {

		private final String id;

		private final @Nullable String user;

		private final Map<String, Stay> stays = new ConcurrentHashMap<>();

		private final List<String> news = new ArrayList<>();

		private @Nullable Runnable waiter;

		private int waiting;

		private volatile long polled;

		private PollClient(String id, @Nullable String user) {
			this.id = id;
			this.user = user;
		}

		/** The client's member id. */
		public String id() {
			return this.id;
		}

		/**
		 * A poll came: be present on its topics on which presence is on, and hold the news of
		 * them when it asks for it. Topics it stops polling are left after the poll timeout.
		 * @param topics the topics of the poll
		 * @param info the compact client info, or {@code null}
		 * @param news whether it asks for news of joins and leaves
		 */
		public void poll(Collection<String> topics, @Nullable String info, boolean news) {
			for (String topic : topics) {
				if (!isOn(topic)) {
					continue;
				}
				// seen at once, in the map's lock: the sweep cannot end this stay while it is joined below
				long now = System.nanoTime();
				Stay stay = this.stays.compute(topic, (key, held) -> {
					Stay fresh = (held != null) ? held : new Stay();
					fresh.seen = now;
					return fresh;
				});
				Presence.Registration stopped = null;
				synchronized (stay) {
					if (stay.joined == null) {
						stay.joined = RealtimePresence.this.presence.join(topic,
								new PresenceMember(this.id, this.user, info));
					}
					if (news && stay.listening == null) {
						stay.listening = listen(topic, this.id, new News());
					}
					else if (!news && stay.listening != null) {
						stopped = stay.listening;
						stay.listening = null;
					}
				}
				if (stopped != null) {
					stopped.close();
				}
			}
		}

		/** Whether news waits for the next reply. */
		public synchronized boolean hasNews() {
			return !this.news.isEmpty();
		}

		/**
		 * Take the news for a reply.
		 * @return {@link WireFormat#presenceChange} entries, oldest first
		 */
		public synchronized List<String> takeNews() {
			List<String> taken = List.copyOf(this.news);
			this.news.clear();
			return taken;
		}

		/**
		 * A long poll waits: the client stays present meanwhile, and is woken by news.
		 * @param wake called, without blocking, when news arrives
		 */
		public synchronized void await(Runnable wake) {
			this.waiting++;
			this.waiter = wake;
		}

		/**
		 * A waiting long poll answered: the client's polls count from now.
		 * @param wake the callback given to {@link #await}
		 */
		public void answered(Runnable wake) {
			synchronized (this) {
				this.waiting--;
				if (this.waiter == wake) {
					this.waiter = null;
				}
			}
			long now = System.nanoTime();
			this.stays.values().forEach((stay) -> {
				synchronized (stay) {
					stay.seen = now;
				}
			});
		}

		private void sweep(long now, boolean all) {
			synchronized (this) {
				if (this.waiting > 0 && !all) {
					return;
				}
			}
			long timeout = RealtimePresence.this.pollTimeout.toNanos();
			List<Presence.Registration> ending = new ArrayList<>();
			for (String topic : this.stays.keySet()) {
				this.stays.computeIfPresent(topic, (key, stay) -> {
					synchronized (stay) {
						if (!all && now - stay.seen <= timeout) {
							return stay;
						}
						if (stay.listening != null) {
							ending.add(stay.listening);
						}
						if (stay.joined != null) {
							ending.add(stay.joined);
						}
						return null;
					}
				});
			}
			// closed outside every lock: leaving tells listeners, which take theirs
			ending.forEach(Presence.Registration::close);
			RealtimePresence.this.pollClients.computeIfPresent(this.id,
					(key, client) -> (client.stays.isEmpty() && now - client.polled > timeout) ? null : client);
		}

		private final class News implements PresenceListener {

			@Override
			public void onJoin(String topic, PresenceMember member) {
				add(RealtimePresence.this.wire.presenceChange(true, topic, member));
			}

			@Override
			public void onLeave(String topic, PresenceMember member) {
				add(RealtimePresence.this.wire.presenceChange(false, topic, member));
			}

			private void add(String change) {
				Runnable wake;
				synchronized (PollClient.this) {
					if (PollClient.this.news.size() >= MAX_NEWS) {
						PollClient.this.news.remove(0);
					}
					PollClient.this.news.add(change);
					wake = PollClient.this.waiter;
				}
				if (wake != null) {
					wake.run();
				}
			}

		}

	}

	/** A polling client's stay on one topic. */
	private static final class Stay {

		private long seen;

		private Presence.@Nullable Registration joined;

		private Presence.@Nullable Registration listening;

	}

}
