package io.realtime.core;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import io.realtime.core.InMemoryBrokerTests.MutableClock;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * What keeps the {@link InMemoryBroker}'s memory bounded whatever clients do: reads that leave
 * nothing behind, the limit of live topics and the total of history, and that resumes stay
 * honest across all of them.
 */
class InMemoryBrokerLimitsTests {

	private static final String PAYLOAD = "\"" + "x".repeat(98) + "\"";

	/** What one message of {@link #PAYLOAD} counts against the history total. */
	private static final long MESSAGE_BYTES = PAYLOAD.length() + 128;

	private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));

	private final InMemoryBroker broker = new InMemoryBroker(100, Duration.ofMinutes(1), this.clock);

	@Test
	void readingTopicsNobodyPublishedToLeavesNothingBehind() {
		for (int i = 0; i < 10_000; i++) {
			String position = this.broker.read("invented-" + i, null, 10).position();
			HistoryPage again = this.broker.read("invented-" + i, position, 10);
			assertThat(again.recovered()).isTrue();
			assertThat(again.messages()).isEmpty();
		}
		assertThat(this.broker.topicCount()).isZero();
		assertThat(this.broker.historyBytes()).isZero();
	}

	@Test
	void aTopicWithoutMessagesGoesWithItsLastSubscriber() {
		Subscription first = this.broker.subscribe("quiet", null, new RecordingMessageListener());
		Subscription second = this.broker.subscribe("quiet", null, new RecordingMessageListener());
		assertThat(this.broker.topicCount()).isOne();
		first.cancel();
		assertThat(this.broker.topicCount()).isOne();
		second.cancel();
		assertThat(this.broker.topicCount()).isZero();
		assertThat(this.broker.subscriptionCount()).isZero();
	}

	@Test
	void positionOfAnEmptyTopicResumesEveryMessagePublishedSince() {
		String position = this.broker.read("news", null, 10).position();
		Message first = this.broker.publish("news", "1");
		Message second = this.broker.publish("news", "2");

		HistoryPage page = this.broker.read("news", position, 10);
		assertThat(page.recovered()).isTrue();
		assertThat(page.messages()).containsExactly(first, second);

		RecordingMessageListener listener = new RecordingMessageListener();
		Subscription subscription = this.broker.subscribe("news", position, listener);
		assertThat(subscription.recovered()).isTrue();
		assertThat(listener.messages()).containsExactly(first, second);
		subscription.cancel();
	}

	@Test
	void positionOfAnEmptyTopicWhoseMessagesWereDroppedSinceIsReset() {
		String news = this.broker.read("news", null, 10).position();
		String sport = this.broker.read("sport", null, 10).position();
		this.broker.publish("news", "1");
		this.clock.advance(Duration.ofSeconds(61));
		this.broker.evictIdleTopics();
		assertThat(this.broker.topicCount()).isZero();

		HistoryPage page = this.broker.read("news", news, 10);
		assertThat(page.recovered()).isFalse();
		assertThat(this.broker.read("news", page.position(), 10).recovered()).isTrue();
		// another topic's drop does not cost a quiet topic its resume
		assertThat(this.broker.read("sport", sport, 10).recovered()).isTrue();
	}

	@Test
	void positionOfAnEmptyTopicWhoseMessagesWereTrimmedIsReset() {
		InMemoryBroker broker = new InMemoryBroker(2, Duration.ofMinutes(1), this.clock);
		String position = broker.read("news", null, 10).position();
		broker.publish("news", "1");
		Message second = broker.publish("news", "2");
		Message third = broker.publish("news", "3");

		HistoryPage page = broker.read("news", position, 10);
		assertThat(page.recovered()).isFalse();
		assertThat(page.messages()).containsExactly(second, third);
	}

	@Test
	void positionOfAnEmptyTopicOfAnotherBrokerIsReset() {
		String position = new InMemoryBroker().read("news", null, 10).position();
		assertThat(this.broker.read("news", position, 10).recovered()).isFalse();
		Message message = this.broker.publish("news", "1");
		assertThat(this.broker.read("news", position, 10).recovered()).isFalse();
		assertThat(this.broker.read("news", position, 10).messages()).containsExactly(message);
	}

	@Test
	void topicLimitRefusesNewTopicsAndServesTheOthers() {
		this.broker.setMaxTopics(2);
		this.broker.publish("a", "1");
		Subscription b = this.broker.subscribe("b", null, new RecordingMessageListener());

		assertThatExceptionOfType(TopicLimitException.class).isThrownBy(() -> this.broker.publish("c", "1"))
			.withMessage("too many topics (2), try again later");
		assertThatExceptionOfType(TopicLimitException.class)
			.isThrownBy(() -> this.broker.subscribe("c", null, new RecordingMessageListener()));
		assertThat(this.broker.read("c", null, 10).recovered()).isTrue();
		this.broker.publish("a", "2");
		RecordingMessageListener listener = new RecordingMessageListener();
		this.broker.subscribe("a", null, listener).cancel();
		assertThat(this.broker.topicCount()).isEqualTo(2);

		b.cancel();
		this.broker.publish("c", "1");
		assertThat(this.broker.topicCount()).isEqualTo(2);
	}

	@Test
	void roomForTopicsIsCheckedBeforeSubscribing() {
		this.broker.setMaxTopics(2);
		this.broker.publish("a", "1");
		this.broker.checkRoomFor(List.of("a", "b"));
		assertThatExceptionOfType(TopicLimitException.class)
			.isThrownBy(() -> this.broker.checkRoomFor(List.of("a", "b", "c")))
			.withMessage("too many topics (2), try again later");
		assertThat(this.broker.topicCount()).isOne();
	}

	@Test
	void fullBrokerDropsTopicsWhoseHistoryExpiredToMakeRoom() {
		this.broker.setMaxTopics(1);
		Message old = this.broker.publish("a", "1");
		this.clock.advance(Duration.ofSeconds(30));
		this.broker.read("a", old.id(), 10);
		this.clock.advance(Duration.ofSeconds(31));

		// read 31 s ago, so not idle by the history's age, but it holds nothing any more
		this.broker.publish("b", "1");

		assertThat(this.broker.topicCount()).isOne();
		assertThat(this.broker.read("a", old.id(), 10).recovered()).isFalse();
	}

	@Test
	void historyTotalEvictsTheGloballyOldestMessagesFirst() {
		this.broker.setMaxHistoryBytes(10 * MESSAGE_BYTES);
		List<Message> old = new ArrayList<>();
		for (int i = 0; i < 5; i++) {
			old.add(this.broker.publish("old", PAYLOAD));
			this.clock.advance(Duration.ofMillis(1));
		}
		List<Message> flood = new ArrayList<>();
		for (int i = 0; i < 30; i++) {
			flood.add(this.broker.publish("flood/" + (i % 3), PAYLOAD));
			this.clock.advance(Duration.ofMillis(1));
		}

		assertThat(this.broker.historyBytes()).isLessThanOrEqualTo(10 * MESSAGE_BYTES);
		HistoryPage oldPage = this.broker.read("old", old.get(0).id(), 10);
		assertThat(oldPage.recovered()).isFalse();
		assertThat(oldPage.messages()).isEmpty();
		// the newest messages stay, and a resume from before them says what was lost
		HistoryPage floodPage = this.broker.read("flood/2", flood.get(2).id(), 100);
		assertThat(floodPage.recovered()).isFalse();
		assertThat(floodPage.messages()).last().isEqualTo(flood.get(29));
		HistoryPage newest = this.broker.read("flood/2", flood.get(26).id(), 100);
		assertThat(newest.recovered()).isTrue();
		assertThat(newest.messages()).containsExactly(flood.get(29));
	}

	@Test
	void historyBytesFollowMessagesAsTheyAreTrimmedAndExpire() {
		InMemoryBroker broker = new InMemoryBroker(3, Duration.ofMinutes(1), this.clock);
		for (int i = 0; i < 10; i++) {
			broker.publish("a", PAYLOAD);
		}
		assertThat(broker.historyBytes()).isEqualTo(3 * MESSAGE_BYTES);
		broker.publish("b", PAYLOAD);
		assertThat(broker.historyBytes()).isEqualTo(4 * MESSAGE_BYTES);
		this.clock.advance(Duration.ofSeconds(61));
		broker.evictIdleTopics();
		assertThat(broker.historyBytes()).isZero();
	}

	@Test
	void subscribersReceiveEveryMessageWhileFloodersAreEvicted() throws Exception {
		this.broker.setMaxHistoryBytes(50 * MESSAGE_BYTES);
		RecordingMessageListener bystander = new RecordingMessageListener();
		Subscription subscription = this.broker.subscribe("watched", null, bystander);
		ExecutorService executor = Executors.newFixedThreadPool(4);
		try {
			List<Future<List<Message>>> publishers = new ArrayList<>();
			for (int p = 0; p < 4; p++) {
				int publisher = p;
				publishers.add(executor.submit(() -> {
					List<Message> watched = new ArrayList<>();
					for (int i = 0; i < 2000; i++) {
						this.broker.publish("flood/" + publisher + "/" + (i % 50), PAYLOAD);
						if (i % 100 == 0) {
							watched.add(this.broker.publish("watched", "\"" + publisher + "-" + i + "\""));
						}
					}
					return watched;
				}));
			}
			List<Message> published = new ArrayList<>();
			for (Future<List<Message>> publisher : publishers) {
				published.addAll(publisher.get());
			}
			assertThat(bystander.messages()).containsExactlyInAnyOrderElementsOf(published);
			assertThat(bystander.messages()).isSortedAccordingTo(
					(a, b) -> Long.compare(sequence(a), sequence(b)));
			// each publisher's eviction may lag by the messages in flight on the other threads
			assertThat(this.broker.historyBytes()).isLessThanOrEqualTo(54 * MESSAGE_BYTES);
		}
		finally {
			executor.shutdownNow();
			subscription.cancel();
		}
	}

	@Test
	void invalidLimitsAreRejected() {
		assertThatIllegalArgumentException().isThrownBy(() -> this.broker.setMaxTopics(0))
			.withMessage("maxTopics must be at least 1");
		assertThatIllegalArgumentException().isThrownBy(() -> this.broker.setMaxHistoryBytes(0))
			.withMessage("maxHistoryBytes must be at least 1");
	}

	@Test
	void defaultLimitsFitTheHeap() {
		long heap = Runtime.getRuntime().maxMemory();
		assertThat(InMemoryBroker.defaultMaxHistoryBytes()).isEqualTo(heap / 4);
		assertThat(InMemoryBroker.defaultMaxTopics()).isGreaterThanOrEqualTo(1000);
		assertThat((long) InMemoryBroker.defaultMaxTopics() * 1024).isLessThanOrEqualTo(Math.max(heap / 16, 1024_000));
	}

	/** Ids are opaque to clients; this test knows they look like {@code <epoch>.<sequence>}. */
	private static long sequence(Message message) {
		return Long.parseLong(message.id().substring(message.id().lastIndexOf('.') + 1));
	}

}
