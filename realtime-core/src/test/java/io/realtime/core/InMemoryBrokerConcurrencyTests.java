package io.realtime.core;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Many publishers and subscribers on the same {@link InMemoryBroker} at once: every subscriber
 * sees every message of its topic exactly once and in the topic's order, whether it joined
 * before publishing started, mid-stream from a position, or left mid-stream.
 */
class InMemoryBrokerConcurrencyTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	private static final List<String> TOPICS = List.of("load/a", "load/b", "load/c");

	private static final int PUBLISHERS = 4;

	private static final int MESSAGES_PER_PUBLISHER = 3000;

	private static final Pattern PAYLOAD = Pattern.compile("\\{\"publisher\":(\\d+),\"n\":(\\d+)}");

	private final InMemoryBroker broker = new InMemoryBroker(100_000, Duration.ofMinutes(10), Clock.systemUTC());

	private final Map<String, String> start = new HashMap<>();

	private final ExecutorService executor = Executors.newCachedThreadPool();

	@BeforeEach
	void recordStartPositions() {
		TOPICS.forEach((topic) -> this.start.put(topic, this.broker.read(topic, null, 0).position()));
	}

	@AfterEach
	void stopThreads() {
		this.executor.shutdownNow();
	}

	@Test
	@Timeout(10)
	void everySubscriberReceivesEveryMessageOnceInTopicOrder() throws Exception {
		List<Subscriber> subscribers = new ArrayList<>();
		Random random = new Random(42);
		for (int i = 0; i < 90; i++) {
			String topic = TOPICS.get(i % TOPICS.size());
			// before publishing starts, "now" and the start position are the same place
			subscribers.add(subscribe(topic, (i % 2 == 0) ? null : this.start.get(topic), this.start.get(topic)));
		}
		List<Quitter> quitters = new ArrayList<>();
		for (int i = 0; i < 30; i++) {
			Quitter quitter = new Quitter(TOPICS.get(i % TOPICS.size()), 1 + random.nextInt(1000));
			quitter.subscription = this.broker.subscribe(quitter.topic, null, quitter);
			quitters.add(quitter);
		}
		int lateSubscribersPerPublisher = 25;
		CountDownLatch go = new CountDownLatch(1);
		List<Future<List<Subscriber>>> publishers = new ArrayList<>();
		for (int p = 0; p < PUBLISHERS; p++) {
			int publisher = p;
			publishers.add(this.executor.submit(() -> {
				go.await();
				return publishAndSubscribeMidStream(publisher, lateSubscribersPerPublisher);
			}));
		}
		go.countDown();
		for (Future<List<Subscriber>> publisher : publishers) {
			subscribers.addAll(publisher.get(WAIT.toMillis(), TimeUnit.MILLISECONDS));
		}
		assertThat(subscribers).hasSize(90 + PUBLISHERS * lateSubscribersPerPublisher);

		Map<String, List<String>> history = history();
		await().atMost(WAIT).pollDelay(Duration.ZERO).untilAsserted(() -> {
			for (Subscriber subscriber : subscribers) {
				subscriber.assertReceivedExactlyOnceInOrder(history.get(subscriber.topic));
			}
		});
		for (Quitter quitter : quitters) {
			assertThat(quitter.ids()).as("quitter on %s leaving after %d", quitter.topic, quitter.leaveAfter)
				.containsExactlyElementsOf(history.get(quitter.topic).subList(0, quitter.leaveAfter));
		}
		assertThat(this.broker.subscriptionCount()).isEqualTo(subscribers.size());
		subscribers.forEach((subscriber) -> subscriber.subscription.cancel());
		assertThat(this.broker.subscriptionCount()).isZero();
	}

	@Test
	@Timeout(10)
	void subscribingAndCancellingWhilePublishingCostsOthersNothing() throws Exception {
		List<Subscriber> stable = new ArrayList<>();
		for (int i = 0; i < 30; i++) {
			String topic = TOPICS.get(i % TOPICS.size());
			stable.add(subscribe(topic, null, this.start.get(topic)));
		}
		CountDownLatch go = new CountDownLatch(1);
		List<Future<?>> publishers = new ArrayList<>();
		for (int p = 0; p < PUBLISHERS; p++) {
			int publisher = p;
			publishers.add(this.executor.submit(() -> {
				go.await();
				for (int n = 0; n < MESSAGES_PER_PUBLISHER; n++) {
					this.broker.publish(TOPICS.get((n + publisher) % TOPICS.size()), payload(publisher, n));
				}
				return null;
			}));
		}
		List<Future<List<Churned>>> churners = new ArrayList<>();
		for (int c = 0; c < 2; c++) {
			Random random = new Random(c);
			churners.add(this.executor.submit(() -> {
				go.await();
				return churn(random, 1000);
			}));
		}
		go.countDown();
		for (Future<?> publisher : publishers) {
			publisher.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
		}
		List<Churned> churned = new ArrayList<>();
		for (Future<List<Churned>> churner : churners) {
			churned.addAll(churner.get(WAIT.toMillis(), TimeUnit.MILLISECONDS));
		}

		Map<String, List<String>> history = history();
		await().atMost(WAIT).pollDelay(Duration.ZERO).untilAsserted(() -> {
			for (Subscriber subscriber : stable) {
				subscriber.assertReceivedExactlyOnceInOrder(history.get(subscriber.topic));
			}
		});
		for (Churned subscriber : churned) {
			List<String> ids = subscriber.listener.ids();
			assertThat(ids).as("no callback after cancel returned").hasSize(subscriber.receivedWhenCancelled);
			assertContiguous(history.get(subscriber.topic), ids);
		}
		assertThat(this.broker.subscriptionCount()).isEqualTo(stable.size());
	}

	/** Publish this publisher's share, subscribing now and then from a position it has seen. */
	private List<Subscriber> publishAndSubscribeMidStream(int publisher, int subscriptions) {
		Random random = new Random(100 + publisher);
		Map<String, List<String>> published = new HashMap<>();
		List<Subscriber> subscribers = new ArrayList<>();
		int every = MESSAGES_PER_PUBLISHER / subscriptions;
		for (int n = 0; n < MESSAGES_PER_PUBLISHER; n++) {
			String topic = TOPICS.get((n + publisher) % TOPICS.size());
			Message message = this.broker.publish(topic, payload(publisher, n));
			published.computeIfAbsent(topic, (key) -> new ArrayList<>()).add(message.id());
			if (n % every == every - 1) {
				String subscribeTo = TOPICS.get(random.nextInt(TOPICS.size()));
				List<String> seen = published.getOrDefault(subscribeTo, List.of());
				String after = (seen.isEmpty() || random.nextInt(4) == 0) ? null
						: seen.get(random.nextInt(seen.size()));
				subscribers.add(subscribe(subscribeTo, after, after));
			}
		}
		return subscribers;
	}

	/** Subscribe and cancel over and over, from another thread than the publishers'. */
	private List<Churned> churn(Random random, int times) {
		List<Churned> churned = new ArrayList<>();
		for (int i = 0; i < times; i++) {
			String topic = TOPICS.get(random.nextInt(TOPICS.size()));
			RecordingMessageListener listener = new RecordingMessageListener();
			Subscription subscription = this.broker.subscribe(topic, null, listener);
			if (random.nextBoolean()) {
				this.broker.read(topic, null, 1);
			}
			subscription.cancel();
			churned.add(new Churned(topic, listener, listener.messages().size()));
		}
		return churned;
	}

	private Subscriber subscribe(String topic, @Nullable String after, @Nullable String expectedAfter) {
		RecordingMessageListener listener = new RecordingMessageListener();
		Subscription subscription = this.broker.subscribe(topic, after, listener);
		return new Subscriber(topic, expectedAfter, listener, subscription);
	}

	/**
	 * Every topic's full history in topic order, checked for duplicates and for each publisher's
	 * messages keeping the order they were published in.
	 */
	private Map<String, List<String>> history() {
		Map<String, List<String>> history = new HashMap<>();
		int total = 0;
		for (String topic : TOPICS) {
			HistoryPage page = this.broker.read(topic, this.start.get(topic), Integer.MAX_VALUE);
			assertThat(page.recovered()).isTrue();
			Map<Integer, Integer> lastByPublisher = new HashMap<>();
			for (Message message : page.messages()) {
				Matcher matcher = PAYLOAD.matcher(message.data());
				assertThat(matcher.matches()).as(message.data()).isTrue();
				int publisher = Integer.parseInt(matcher.group(1));
				int n = Integer.parseInt(matcher.group(2));
				assertThat(n).as("publisher %d on %s", publisher, topic)
					.isGreaterThan(lastByPublisher.getOrDefault(publisher, -1));
				lastByPublisher.put(publisher, n);
			}
			List<String> ids = page.messages().stream().map(Message::id).toList();
			assertThat(new HashSet<>(ids)).hasSameSizeAs(ids);
			history.put(topic, ids);
			total += ids.size();
		}
		assertThat(total).isEqualTo(PUBLISHERS * MESSAGES_PER_PUBLISHER);
		return history;
	}

	private static void assertContiguous(List<String> history, List<String> ids) {
		if (!ids.isEmpty()) {
			int from = history.indexOf(ids.get(0));
			assertThat(from).isNotNegative();
			assertThat(ids).containsExactlyElementsOf(history.subList(from, from + ids.size()));
		}
	}

	private static String payload(int publisher, int n) {
		return "{\"publisher\":" + publisher + ",\"n\":" + n + "}";
	}

	/**
	 * A subscriber and what it must receive: everything after {@code expectedAfter}, or, when
	 * that is {@code null} (it subscribed "now" mid-stream), an unbroken run up to the newest.
	 */
	private record Subscriber(String topic, @Nullable String expectedAfter, RecordingMessageListener listener,
			Subscription subscription) {

		void assertReceivedExactlyOnceInOrder(List<String> history) {
			assertThat(this.listener.recovered()).isTrue();
			List<String> ids = this.listener.ids();
			List<String> expected;
			if (this.expectedAfter != null) {
				int index = history.indexOf(this.expectedAfter);
				expected = history.subList((index < 0) ? 0 : index + 1, history.size());
			}
			else {
				assertThat(ids.size()).isLessThanOrEqualTo(history.size());
				expected = history.subList(history.size() - ids.size(), history.size());
			}
			assertThat(ids).as("subscriber on %s after %s", this.topic, this.expectedAfter)
				.containsExactlyElementsOf(expected);
		}

	}

	private record Churned(String topic, RecordingMessageListener listener, int receivedWhenCancelled) {
	}

	/** Leaves from inside its callback after a number of messages. */
	private static final class Quitter extends RecordingMessageListener {

		private final String topic;

		private final int leaveAfter;

		volatile @Nullable Subscription subscription;

		Quitter(String topic, int leaveAfter) {
			this.topic = topic;
			this.leaveAfter = leaveAfter;
		}

		@Override
		public void onMessage(Message message) {
			super.onMessage(message);
			Subscription subscription = this.subscription;
			if (subscription != null && messages().size() == this.leaveAfter) {
				subscription.cancel();
			}
		}

	}

}
