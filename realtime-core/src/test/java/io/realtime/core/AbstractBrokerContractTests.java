package io.realtime.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;

import org.awaitility.core.ConditionFactory;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * The contract every {@link Broker} keeps, written once and run against every implementation:
 * extend it, implement {@link #createBroker(int, Duration)} and the whole contract runs against
 * the new broker. Deliveries may be asynchronous, so every wait is bounded polling, never a
 * fixed sleep. Each test works on its own topic so brokers that share a store stay apart.
 *
 * @since 0.1.0
 */
public abstract class AbstractBrokerContractTests {

	/** Longest wait for something a broker may do asynchronously. */
	protected static final Duration WAIT = Duration.ofSeconds(5);

	/** History settings for tests that do not exercise history limits. */
	protected static final int LARGE_HISTORY = 1000;

	protected static final Duration LONG_TTL = Duration.ofMinutes(10);

	private final List<Broker> brokers = new ArrayList<>();

	private final List<Subscription> subscriptions = new ArrayList<>();

	/** A topic no other test uses. */
	protected String topic = "";

	/**
	 * Create the broker under test.
	 * @param historySize the most messages kept per topic
	 * @param historyTtl how long a message stays in history
	 * @return a ready broker
	 */
	protected abstract Broker createBroker(int historySize, Duration historyTtl);

	/**
	 * Create a broker that holds none of the history of the brokers {@link #createBroker}
	 * returns, as after a restart or on another store. Brokers whose instances share a store
	 * override this to return one on a separate (or reset) store.
	 * @param historySize the most messages kept per topic
	 * @param historyTtl how long a message stays in history
	 * @return a ready broker of another lifetime
	 */
	protected Broker createBrokerOfAnotherLifetime(int historySize, Duration historyTtl) {
		return createBroker(historySize, historyTtl);
	}

	/**
	 * Release a broker once its test is over. Does nothing by default.
	 * @param broker a broker this class created
	 * @throws Exception when releasing fails
	 */
	protected void destroyBroker(Broker broker) throws Exception {
	}

	@BeforeEach
	void createTopic() {
		this.topic = "contract:" + UUID.randomUUID();
	}

	@AfterEach
	void releaseBrokers() throws Exception {
		this.subscriptions.forEach(Subscription::cancel);
		for (Broker broker : this.brokers) {
			destroyBroker(broker);
		}
	}

	@Test
	void publishReturnsTheAcceptedMessage() {
		Broker broker = broker();
		Message message = broker.publish(this.topic, "{\"text\":\"hello\"}");
		assertThat(message.topic()).isEqualTo(this.topic);
		assertThat(message.data()).isEqualTo("{\"text\":\"hello\"}");
		assertThat(message.id()).isNotEmpty();
		assertThat(message.timestamp()).isPositive();
	}

	@Test
	void publishAssignsUniqueIdsThatFitInACursor() {
		Broker broker = broker();
		List<String> ids = new ArrayList<>();
		for (int i = 0; i < 50; i++) {
			ids.add(broker.publish(this.topic, Integer.toString(i)).id());
		}
		assertThat(new HashSet<>(ids)).hasSize(50);
		assertThat(ids).allSatisfy((id) -> assertThat(MessageIds.isValid(id)).as(id).isTrue());
	}

	@Test
	void publishAssignsIdsInPublishOrder() {
		Broker broker = broker();
		String start = broker.read(this.topic, null, 10).position();
		List<String> ids = new ArrayList<>();
		for (int i = 0; i < 40; i++) {
			ids.add(broker.publish(this.topic, Integer.toString(i)).id());
		}
		HistoryPage page = broker.read(this.topic, start, 100);
		assertThat(page.recovered()).isTrue();
		assertThat(ids(page)).containsExactlyElementsOf(ids);
		assertThat(page.messages()).extracting(Message::data)
			.containsExactlyElementsOf(IntStream.range(0, 40).mapToObj(Integer::toString).toList());
	}

	/**
	 * A smoke test of throughput without timing: publishers on many threads at once, half of
	 * them with {@link Broker#publishAsync} keeping many publishes in flight, over several
	 * topics. Nothing is lost or duplicated, every publisher's messages of a topic are in the
	 * order it published them, each got back the id history holds, and subscribers see history's
	 * order.
	 */
	@Test
	void concurrentPublishersLoseNothingAndKeepEachPublishersOrder() throws Exception {
		Broker broker = broker();
		int topicCount = 4;
		int publisherCount = 8;
		int perPublisher = 100;
		List<String> topics = IntStream.range(0, topicCount).mapToObj((t) -> this.topic + "/" + t).toList();
		Map<String, String> starts = new HashMap<>();
		Map<String, RecordingMessageListener> listeners = new HashMap<>();
		for (String topic : topics) {
			starts.put(topic, broker.read(topic, null, 0).position());
			listeners.put(topic, subscribe(broker, topic, starts.get(topic)));
		}
		ExecutorService pool = Executors.newFixedThreadPool(publisherCount);
		CountDownLatch go = new CountDownLatch(1);
		List<Future<List<Message>>> publishers = new ArrayList<>();
		try {
			for (int p = 0; p < publisherCount; p++) {
				int publisher = p;
				publishers.add(pool.submit(() -> {
					go.await();
					List<CompletableFuture<Message>> accepted = new ArrayList<>();
					for (int i = 0; i < perPublisher; i++) {
						String topic = topics.get(i % topicCount);
						String data = "\"" + publisher + "-" + i + "\"";
						accepted.add((publisher % 2 == 0) ? broker.publishAsync(topic, data).toCompletableFuture()
								: CompletableFuture.completedFuture(broker.publish(topic, data)));
					}
					return accepted.stream().map((message) -> message.orTimeout(10, TimeUnit.SECONDS).join()).toList();
				}));
			}
			go.countDown();
			List<Message> published = new ArrayList<>();
			for (Future<List<Message>> publisher : publishers) {
				published.addAll(publisher.get(30, TimeUnit.SECONDS));
			}
			// a message is its topic and id
			assertThat(published).doesNotHaveDuplicates();
			for (String topic : topics) {
				HistoryPage history = broker.read(topic, starts.get(topic), LARGE_HISTORY);
				assertThat(history.recovered()).isTrue();
				List<Message> ofTopic = published.stream().filter((message) -> message.topic().equals(topic)).toList();
				assertThat(history.messages()).hasSize(publisherCount * perPublisher / topicCount)
					.containsExactlyInAnyOrderElementsOf(ofTopic);
				for (int p = 0; p < publisherCount; p++) {
					String prefix = "\"" + p + "-";
					assertThat(history.messages()).filteredOn((message) -> message.data().startsWith(prefix))
						.as("publisher %d on %s", p, topic)
						.containsExactlyElementsOf(ofTopic.stream().filter((message) -> message.data().startsWith(prefix)).toList());
				}
				awaitIds(listeners.get(topic), ids(history));
			}
		}
		finally {
			pool.shutdownNow();
		}
	}

	@Test
	void publishKeepsTopicsApart() {
		Broker broker = broker();
		String other = this.topic + "/other";
		String start = broker.read(this.topic, null, 10).position();
		String otherStart = broker.read(other, null, 10).position();
		List<String> ids = new ArrayList<>();
		List<String> otherIds = new ArrayList<>();
		for (int i = 0; i < 5; i++) {
			ids.add(broker.publish(this.topic, "1").id());
			otherIds.add(broker.publish(other, "2").id());
		}
		RecordingMessageListener listener = subscribe(broker, this.topic, start);
		assertThat(ids(broker.read(this.topic, start, 100))).containsExactlyElementsOf(ids);
		assertThat(ids(broker.read(other, otherStart, 100))).containsExactlyElementsOf(otherIds);
		awaitIds(listener, ids);
		assertThat(listener.messages()).extracting(Message::topic).containsOnly(this.topic);
	}

	@Test
	void readWithoutPositionStartsNow() {
		Broker broker = broker();
		broker.publish(this.topic, "1");
		Message newest = broker.publish(this.topic, "2");
		HistoryPage page = broker.read(this.topic, null, 10);
		assertThat(page.messages()).isEmpty();
		assertThat(page.recovered()).isTrue();
		assertThat(page.position()).isEqualTo(newest.id());
		Message next = broker.publish(this.topic, "3");
		assertThat(ids(broker.read(this.topic, page.position(), 10))).containsExactly(next.id());
	}

	@Test
	void readWithoutPositionOnANewTopicStartsNow() {
		Broker broker = broker();
		HistoryPage page = broker.read(this.topic, null, 10);
		assertThat(page.messages()).isEmpty();
		assertThat(page.recovered()).isTrue();
		assertThat(broker.read(this.topic, page.position(), 10).messages()).isEmpty();
		Message first = broker.publish(this.topic, "1");
		HistoryPage next = broker.read(this.topic, page.position(), 10);
		assertThat(next.recovered()).isTrue();
		assertThat(ids(next)).containsExactly(first.id());
		assertThat(next.position()).isEqualTo(first.id());
	}

	@Test
	void readAfterPositionReturnsExactlyTheLaterMessagesInOrder() {
		Broker broker = broker();
		List<Message> published = publish(broker, 6);
		HistoryPage page = broker.read(this.topic, published.get(1).id(), 100);
		assertThat(page.recovered()).isTrue();
		assertThat(page.messages()).containsExactlyElementsOf(published.subList(2, 6));
		assertThat(page.messages()).extracting(Message::data).containsExactly("2", "3", "4", "5");
		assertThat(page.position()).isEqualTo(published.get(5).id());
	}

	@Test
	void readRespectsLimitAndAdvancesPosition() {
		Broker broker = broker();
		String start = broker.read(this.topic, null, 10).position();
		List<String> ids = ids(publish(broker, 7));
		HistoryPage first = broker.read(this.topic, start, 3);
		assertThat(ids(first)).containsExactlyElementsOf(ids.subList(0, 3));
		assertThat(first.position()).isEqualTo(ids.get(2));
		HistoryPage second = broker.read(this.topic, first.position(), 3);
		assertThat(ids(second)).containsExactlyElementsOf(ids.subList(3, 6));
		assertThat(second.position()).isEqualTo(ids.get(5));
		HistoryPage third = broker.read(this.topic, second.position(), 3);
		assertThat(ids(third)).containsExactly(ids.get(6));
		assertThat(third.position()).isEqualTo(ids.get(6));
		HistoryPage caughtUp = broker.read(this.topic, third.position(), 3);
		assertThat(caughtUp.messages()).isEmpty();
		assertThat(caughtUp.recovered()).isTrue();
		assertThat(caughtUp.position()).isEqualTo(ids.get(6));
	}

	@Test
	void subscribeWithoutPositionReceivesOnlyLaterMessages() {
		Broker broker = broker();
		publish(broker, 3);
		RecordingMessageListener listener = new RecordingMessageListener();
		Subscription subscription = subscribe(broker, this.topic, null, listener);
		assertThat(subscription.topic()).isEqualTo(this.topic);
		assertThat(subscription.recovered()).isTrue();
		List<String> live = ids(publish(broker, 3));
		awaitIds(listener, live);
		assertThat(listener.events().get(0)).isEqualTo(true);
	}

	@Test
	void subscribeFromPositionReplaysMissedMessagesThenLiveOnes() {
		Broker broker = broker();
		List<String> published = ids(publish(broker, 4));
		RecordingMessageListener listener = new RecordingMessageListener();
		Subscription subscription = subscribe(broker, this.topic, published.get(0), listener);
		assertThat(subscription.recovered()).isTrue();
		awaitIds(listener, published.subList(1, 4));
		List<String> live = ids(publish(broker, 3));
		List<String> expected = new ArrayList<>(published.subList(1, 4));
		expected.addAll(live);
		awaitIds(listener, expected);
		assertThat(listener.events()).first().isEqualTo(true);
		assertThat(listener.events()).filteredOn(Boolean.class::isInstance).hasSize(1);
	}

	@Test
	void subscribeFromTheNewestPositionReceivesOnlyLiveMessages() {
		Broker broker = broker();
		List<String> published = ids(publish(broker, 3));
		RecordingMessageListener listener = subscribe(broker, this.topic, published.get(2));
		assertThat(listener.recovered()).isTrue();
		List<String> live = ids(publish(broker, 2));
		awaitIds(listener, live);
	}

	@Test
	void subscribeFromPositionWhilePublishingHasNoGapAndNoDuplicate() throws Exception {
		int history = 100_000;
		Broker broker = broker(history, LONG_TTL);
		List<String> published = Collections.synchronizedList(new ArrayList<>());
		CountDownLatch someMissed = new CountDownLatch(1);
		AtomicBoolean subscribing = new AtomicBoolean();
		ExecutorService executor = Executors.newSingleThreadExecutor();
		try {
			Future<?> publishing = executor.submit(() -> {
				// go on well past the start of the subscription, so replay and live delivery meet
				int afterSubscribing = 0;
				for (int i = 0; i < history && afterSubscribing < 2000; i++) {
					published.add(broker.publish(this.topic, Integer.toString(i)).id());
					if (i == 99) {
						someMissed.countDown();
					}
					if (subscribing.get()) {
						afterSubscribing++;
					}
				}
			});
			boolean missed = someMissed.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
			subscribing.set(true);
			RecordingMessageListener listener = subscribe(broker, this.topic, published.get(49));
			assertThat(missed).isTrue();
			publishing.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
			assertThat(listener.recovered()).isTrue();
			awaitIds(listener, published.subList(50, published.size()));
		}
		finally {
			executor.shutdownNow();
		}
	}

	@Test
	void readFromPositionOlderThanHistoryIsNotRecoveredAndStartsAtOldestMessage() {
		Broker broker = broker(3, LONG_TTL);
		List<Message> published = publish(broker, 6);
		HistoryPage page = broker.read(this.topic, published.get(0).id(), 100);
		assertThat(page.recovered()).isFalse();
		assertThat(page.messages()).containsExactlyElementsOf(published.subList(3, 6));
		assertThat(page.position()).isEqualTo(published.get(5).id());
		HistoryPage next = broker.read(this.topic, page.position(), 100);
		assertThat(next.recovered()).isTrue();
		assertThat(next.messages()).isEmpty();
	}

	@Test
	void readFromPositionOlderThanHistoryRespectsLimit() {
		Broker broker = broker(3, LONG_TTL);
		List<Message> published = publish(broker, 6);
		HistoryPage page = broker.read(this.topic, published.get(0).id(), 2);
		assertThat(page.recovered()).isFalse();
		assertThat(page.messages()).containsExactlyElementsOf(published.subList(3, 5));
		assertThat(page.position()).isEqualTo(published.get(4).id());
		HistoryPage next = broker.read(this.topic, page.position(), 2);
		assertThat(next.recovered()).isTrue();
		assertThat(next.messages()).containsExactly(published.get(5));
	}

	@Test
	void subscribeFromPositionOlderThanHistoryIsNotRecoveredAndStartsAtOldestMessage() {
		Broker broker = broker(3, LONG_TTL);
		List<String> published = ids(publish(broker, 6));
		RecordingMessageListener listener = new RecordingMessageListener();
		Subscription subscription = subscribe(broker, this.topic, published.get(0), listener);
		assertThat(subscription.recovered()).isFalse();
		assertThat(listener.events()).first().isEqualTo(false);
		awaitIds(listener, published.subList(3, 6));
		List<String> live = ids(publish(broker, 2));
		List<String> expected = new ArrayList<>(published.subList(3, 6));
		expected.addAll(live);
		awaitIds(listener, expected);
	}

	@Test
	void rewindGoesBackToTheNewestMessagesThenLiveOnesFollow() {
		Broker broker = broker();
		List<String> published = ids(publish(broker, 5));
		String position = broker.rewind(this.topic, 3);
		HistoryPage page = broker.read(this.topic, position, 100);
		assertThat(page.recovered()).isTrue();
		assertThat(ids(page)).containsExactlyElementsOf(published.subList(2, 5));
		RecordingMessageListener listener = subscribe(broker, this.topic, position);
		assertThat(listener.recovered()).isTrue();
		List<String> expected = new ArrayList<>(published.subList(2, 5));
		expected.addAll(ids(publish(broker, 2)));
		awaitIds(listener, expected);
	}

	@Test
	void rewindFurtherThanHistoryGoesBackToTheOldestMessageHeld() {
		Broker broker = broker(3, LONG_TTL);
		List<String> published = ids(publish(broker, 6));
		String position = broker.rewind(this.topic, 10);
		HistoryPage page = broker.read(this.topic, position, 100);
		assertThat(page.recovered()).isTrue();
		assertThat(ids(page)).containsExactlyElementsOf(published.subList(3, 6));
		RecordingMessageListener listener = subscribe(broker, this.topic, position);
		assertThat(listener.recovered()).isTrue();
		// history holds three: a broker that reads it after subscribe returns (Redis) would find
		// the oldest trimmed by the next publish and reset the subscriber, as it should
		awaitIds(listener, published.subList(3, 6));
		List<String> expected = new ArrayList<>(published.subList(3, 6));
		expected.addAll(ids(publish(broker, 2)));
		awaitIds(listener, expected);
	}

	@Test
	void rewindOfAllTheMessagesOfATopicThatLostNoneReturnsThemAll() {
		Broker broker = broker();
		List<String> published = ids(publish(broker, 4));
		HistoryPage page = broker.read(this.topic, broker.rewind(this.topic, 4), 100);
		assertThat(page.recovered()).isTrue();
		assertThat(ids(page)).containsExactlyElementsOf(published);
	}

	@Test
	void rewindOnATopicWithoutMessagesStartsNow() {
		Broker broker = broker();
		String position = broker.rewind(this.topic, 5);
		HistoryPage page = broker.read(this.topic, position, 100);
		assertThat(page.recovered()).isTrue();
		assertThat(page.messages()).isEmpty();
		Message first = broker.publish(this.topic, "1");
		assertThat(ids(broker.read(this.topic, position, 100))).containsExactly(first.id());
	}

	@Test
	void rewindOfNoMessageIsNow() {
		Broker broker = broker();
		publish(broker, 3);
		assertThat(broker.rewind(this.topic, 0)).isEqualTo(broker.read(this.topic, null, 0).position());
	}

	@Test
	void rewindWhilePublishingHasNoGapAndNoDuplicate() throws Exception {
		Broker broker = broker(100_000, LONG_TTL);
		List<String> published = Collections.synchronizedList(new ArrayList<>());
		CountDownLatch some = new CountDownLatch(1);
		AtomicBoolean subscribed = new AtomicBoolean();
		ExecutorService executor = Executors.newSingleThreadExecutor();
		try {
			Future<?> publishing = executor.submit(() -> {
				int afterSubscribing = 0;
				for (int i = 0; afterSubscribing < 2000; i++) {
					published.add(broker.publish(this.topic, Integer.toString(i)).id());
					if (i == 99) {
						some.countDown();
					}
					if (subscribed.get()) {
						afterSubscribing++;
					}
				}
			});
			assertThat(some.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
			String position = broker.rewind(this.topic, 20);
			int afterRewind = published.size();
			RecordingMessageListener listener = subscribe(broker, this.topic, position);
			subscribed.set(true);
			publishing.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
			assertThat(listener.recovered()).isTrue();
			// a contiguous run up to the newest message, reaching back before the subscription
			eventually().untilAsserted(() -> assertThat(listener.ids()).isNotEmpty()
				.containsExactlyElementsOf(published.subList(published.indexOf(listener.ids().get(0)),
						published.size())));
			// the 20 newest when it rewound: the publisher had added at most one more to the list by then
			assertThat(published.indexOf(listener.ids().get(0))).isLessThanOrEqualTo(afterRewind - 19);
		}
		finally {
			executor.shutdownNow();
		}
	}

	@ParameterizedTest
	@ValueSource(strings = { "", " ", "not an id", "a b.1", "a/b.1", "a;b=1", "é.1", "1.\u0000", "line\nbreak" })
	void malformedIdIsRejectedByRead(String id) {
		Broker broker = broker();
		publish(broker, 2);
		assertThatExceptionOfType(InvalidCursorException.class).isThrownBy(() -> broker.read(this.topic, id, 10));
	}

	@Test
	void overlongIdIsRejected() {
		Broker broker = broker();
		publish(broker, 2);
		String id = "9".repeat(1000);
		assertThatExceptionOfType(InvalidCursorException.class).isThrownBy(() -> broker.read(this.topic, id, 10));
		assertThatExceptionOfType(InvalidCursorException.class)
			.isThrownBy(() -> broker.subscribe(this.topic, id, new RecordingMessageListener()));
	}

	@ParameterizedTest
	@ValueSource(strings = { "", " ", "not an id", "a b.1", "a/b.1", "a;b=1", "é.1", "1.\u0000", "line\nbreak" })
	void malformedIdIsRejectedBySubscribe(String id) {
		Broker broker = broker();
		publish(broker, 2);
		long before = broker.subscriptionCount();
		RecordingMessageListener listener = new RecordingMessageListener();
		assertThatExceptionOfType(InvalidCursorException.class)
			.isThrownBy(() -> broker.subscribe(this.topic, id, listener));
		publish(broker, 1);
		assertThat(broker.subscriptionCount()).isEqualTo(before);
		assertThat(listener.events()).isEmpty();
	}

	@Test
	void idFromAnotherBrokerLifetimeIsNotRecoveredOnRead() {
		Broker broker = broker();
		List<Message> published = publish(broker, 2);
		String foreignId = foreignId(5);
		HistoryPage page = broker.read(this.topic, foreignId, 100);
		assertThat(page.recovered()).isFalse();
		assertThat(page.messages()).containsExactlyElementsOf(published);
		assertThat(page.position()).isEqualTo(published.get(1).id());
	}

	@Test
	void idFromAnotherBrokerLifetimeIsNotRecoveredOnSubscribe() {
		Broker broker = broker();
		List<String> published = ids(publish(broker, 2));
		String foreignId = foreignId(5);
		RecordingMessageListener listener = new RecordingMessageListener();
		Subscription subscription = subscribe(broker, this.topic, foreignId, listener);
		assertThat(subscription.recovered()).isFalse();
		assertThat(listener.events()).first().isEqualTo(false);
		awaitIds(listener, published);
		Message live = broker.publish(this.topic, "live");
		awaitIds(listener, List.of(published.get(0), published.get(1), live.id()));
	}

	@Test
	void idFromAnotherBrokerLifetimeIsNotRecoveredOnAnEmptyTopic() {
		Broker broker = broker();
		String foreignId = foreignId(1);
		HistoryPage page = broker.read(this.topic, foreignId, 100);
		assertThat(page.recovered()).isFalse();
		assertThat(page.messages()).isEmpty();
		Message first = broker.publish(this.topic, "1");
		assertThat(broker.read(this.topic, page.position(), 100).messages()).containsExactly(first);
	}

	@Test
	void cancelStopsDeliveryAndReleasesSubscription() {
		Broker broker = broker();
		long before = broker.subscriptionCount();
		RecordingMessageListener kept = new RecordingMessageListener();
		RecordingMessageListener cancelled = new RecordingMessageListener();
		subscribe(broker, this.topic, null, kept);
		Subscription subscription = subscribe(broker, this.topic, null, cancelled);
		eventually().until(broker::subscriptionCount, (count) -> count == before + 2);
		Message first = broker.publish(this.topic, "1");
		awaitIds(cancelled, List.of(first.id()));
		subscription.cancel();
		eventually().until(broker::subscriptionCount, (count) -> count == before + 1);
		Message second = broker.publish(this.topic, "2");
		awaitIds(kept, List.of(first.id(), second.id()));
		assertThat(cancelled.ids()).containsExactly(first.id());
	}

	@Test
	void cancelIsIdempotent() {
		Broker broker = broker();
		long before = broker.subscriptionCount();
		Subscription kept = subscribe(broker, this.topic, null, new RecordingMessageListener());
		Subscription subscription = subscribe(broker, this.topic, null, new RecordingMessageListener());
		subscription.cancel();
		subscription.cancel();
		subscription.close();
		eventually().until(broker::subscriptionCount, (count) -> count == before + 1);
		kept.close();
		eventually().until(broker::subscriptionCount, (count) -> count == before);
	}

	@Test
	void listenerThatThrowsDoesNotStopOtherSubscribers() {
		Broker broker = broker();
		RecordingMessageListener first = subscribe(broker, this.topic, null);
		subscribe(broker, this.topic, null, (message) -> {
			throw new IllegalStateException("listener failure");
		});
		RecordingMessageListener last = subscribe(broker, this.topic, null);
		List<String> ids = new ArrayList<>();
		for (int i = 0; i < 3; i++) {
			ids.add(broker.publish(this.topic, Integer.toString(i)).id());
		}
		awaitIds(first, ids);
		awaitIds(last, ids);
	}

	@Test
	void listenerThatThrowsDuringReplayDoesNotBreakTheTopic() {
		Broker broker = broker();
		List<String> published = ids(publish(broker, 3));
		RecordingMessageListener other = subscribe(broker, this.topic, published.get(0));
		subscribe(broker, this.topic, published.get(0), (message) -> {
			throw new IllegalStateException("listener failure");
		});
		Message live = broker.publish(this.topic, "live");
		awaitIds(other, List.of(published.get(1), published.get(2), live.id()));
	}

	@Test
	void listenerMayCancelItsOwnSubscriptionWhileReceiving() {
		Broker broker = broker();
		long before = broker.subscriptionCount();
		RecordingMessageListener first = subscribe(broker, this.topic, null);
		CancellingListener quitter = new CancellingListener(1);
		quitter.subscription = subscribe(broker, this.topic, null, quitter);
		RecordingMessageListener last = subscribe(broker, this.topic, null);
		List<String> ids = new ArrayList<>();
		for (int i = 0; i < 3; i++) {
			ids.add(broker.publish(this.topic, Integer.toString(i)).id());
		}
		awaitIds(first, ids);
		awaitIds(last, ids);
		assertThat(quitter.ids()).containsExactly(ids.get(0));
		eventually().until(broker::subscriptionCount, (count) -> count == before + 2);
	}

	@ParameterizedTest
	@NullSource
	@ValueSource(strings = { "", " ", "chat room", "chät", "a;b", "a=b", "a?b", "a#b", "a,b", "tab\t", "日本" })
	void invalidTopicIsRejected(String topic) {
		Broker broker = broker();
		long before = broker.subscriptionCount();
		assertThatExceptionOfType(InvalidTopicException.class).isThrownBy(() -> broker.publish(topic, "1"));
		assertThatExceptionOfType(InvalidTopicException.class).isThrownBy(() -> broker.read(topic, null, 10));
		assertThatExceptionOfType(InvalidTopicException.class)
			.isThrownBy(() -> broker.subscribe(topic, null, new RecordingMessageListener()));
		assertThat(broker.subscriptionCount()).isEqualTo(before);
	}

	@Test
	void topicLongerThanTheLimitIsRejected() {
		Broker broker = broker();
		String longest = "t".repeat(Topics.MAX_LENGTH);
		String tooLong = longest + "t";
		assertThat(broker.publish(longest, "1").topic()).isEqualTo(longest);
		assertThatExceptionOfType(InvalidTopicException.class).isThrownBy(() -> broker.publish(tooLong, "1"));
		assertThatExceptionOfType(InvalidTopicException.class).isThrownBy(() -> broker.read(tooLong, null, 10));
		assertThatExceptionOfType(InvalidTopicException.class)
			.isThrownBy(() -> broker.subscribe(tooLong, null, new RecordingMessageListener()));
	}

	/**
	 * Create a broker with ample history; it is released after the test.
	 * @return the broker
	 */
	protected Broker broker() {
		return broker(LARGE_HISTORY, LONG_TTL);
	}

	/**
	 * Create a broker; it is released after the test.
	 * @param historySize the most messages kept per topic
	 * @param historyTtl how long a message stays in history
	 * @return the broker
	 */
	protected Broker broker(int historySize, Duration historyTtl) {
		Broker broker = createBroker(historySize, historyTtl);
		this.brokers.add(broker);
		return broker;
	}

	/**
	 * Publish numbered messages ({@code "0"}, {@code "1"}, …) on the test's topic.
	 * @param broker the broker
	 * @param count how many
	 * @return the accepted messages in publish order
	 */
	protected List<Message> publish(Broker broker, int count) {
		List<Message> messages = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			messages.add(broker.publish(this.topic, Integer.toString(i)));
		}
		return messages;
	}

	/**
	 * Subscribe a new recording listener and wait until the subscription is in place.
	 * @param broker the broker
	 * @param topic the topic
	 * @param after the position, or {@code null} for now
	 * @return the listener
	 */
	protected RecordingMessageListener subscribe(Broker broker, String topic, @Nullable String after) {
		RecordingMessageListener listener = new RecordingMessageListener();
		subscribe(broker, topic, after, listener);
		return listener;
	}

	/**
	 * Subscribe and, for a recording listener, wait until the subscription is in place.
	 * @param broker the broker
	 * @param topic the topic
	 * @param after the position, or {@code null} for now
	 * @param listener the listener
	 * @return the subscription, cancelled after the test
	 */
	protected Subscription subscribe(Broker broker, String topic, @Nullable String after,
			MessageListener listener) {
		Subscription subscription = broker.subscribe(topic, after, listener);
		this.subscriptions.add(subscription);
		if (listener instanceof RecordingMessageListener recording) {
			eventually().until(recording::recovered, (recovered) -> recovered != null);
		}
		return subscription;
	}

	/**
	 * Wait until a listener has received exactly the given messages, in order: a missing,
	 * extra, duplicated or reordered message fails.
	 * @param listener the listener
	 * @param expected the expected ids in order
	 */
	protected static void awaitIds(RecordingMessageListener listener, List<String> expected) {
		List<String> copy = List.copyOf(expected);
		eventually().untilAsserted(() -> assertThat(listener.ids()).containsExactlyElementsOf(copy));
	}

	/**
	 * Start a bounded wait that checks at once and then often, so synchronous brokers cost no
	 * time and asynchronous ones get {@link #WAIT}.
	 * @return the condition factory
	 */
	protected static ConditionFactory eventually() {
		return await().atMost(WAIT).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(5));
	}

	protected static List<String> ids(HistoryPage page) {
		return ids(page.messages());
	}

	protected static List<String> ids(List<Message> messages) {
		return messages.stream().map(Message::id).toList();
	}

	/**
	 * A well-formed id for the test's topic issued by a broker of another lifetime, which has
	 * seen more messages on that topic than the broker under test.
	 */
	private String foreignId(int messages) {
		Broker other = createBrokerOfAnotherLifetime(LARGE_HISTORY, LONG_TTL);
		this.brokers.add(other);
		String id = "";
		for (int i = 0; i < messages; i++) {
			id = other.publish(this.topic, "\"elsewhere\"").id();
		}
		return id;
	}

	/** Records messages and cancels its own subscription from inside the callback. */
	private static final class CancellingListener extends RecordingMessageListener {

		private final int cancelAfter;

		volatile @Nullable Subscription subscription;

		CancellingListener(int cancelAfter) {
			this.cancelAfter = cancelAfter;
		}

		@Override
		public void onMessage(Message message) {
			super.onMessage(message);
			Subscription subscription = this.subscription;
			if (subscription != null && messages().size() >= this.cancelAfter) {
				subscription.cancel();
			}
		}

	}

}
