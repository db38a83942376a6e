package io.realtime.core;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Runs the broker contract against {@link InMemoryBroker} and covers what only it does: aging
 * history by its clock and recognizing ids of its own topic logs.
 */
class InMemoryBrokerTests extends AbstractBrokerContractTests {

	private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));

	@Override
	protected Broker createBroker(int historySize, Duration historyTtl) {
		return new InMemoryBroker(historySize, historyTtl, Clock.systemUTC());
	}

	@Test
	void messagesAreStampedWithTheClock() {
		InMemoryBroker broker = new InMemoryBroker(10, Duration.ofMinutes(1), this.clock);
		this.clock.advance(Duration.ofMillis(1234));
		Message message = broker.publish(this.topic, "1");
		assertThat(message.timestamp()).isEqualTo(this.clock.millis());
		assertThat(message.data()).isEqualTo("1");
	}

	@Test
	void idleTopicsAreEvictedAndTheirPositionsAnsweredWithAReset() {
		InMemoryBroker broker = new InMemoryBroker(100, Duration.ofMinutes(1), this.clock);
		Subscription held = broker.subscribe("watched", null, (message) -> {
		});
		Message busy = broker.publish("busy", "1");
		this.clock.advance(Duration.ofSeconds(61));

		broker.evictIdleTopics();

		// "busy" lost its message to age and goes; a subscriber keeps "watched"
		assertThat(broker.topicCount()).isEqualTo(1);
		HistoryPage resumed = broker.read("busy", busy.id(), 10);
		assertThat(resumed.recovered()).isFalse();
		assertThat(resumed.messages()).isEmpty();
		assertThat(broker.read("busy", resumed.position(), 10).recovered()).isTrue();
		held.cancel();
	}

	@Test
	void newTopicsTriggerEvictionAtMostOncePerTtl() {
		InMemoryBroker broker = new InMemoryBroker(100, Duration.ofMinutes(1), this.clock);
		for (int i = 0; i < 100; i++) {
			broker.publish("invented-" + i, "1");
		}
		assertThat(broker.topicCount()).isEqualTo(100);
		this.clock.advance(Duration.ofSeconds(61));
		broker.publish("one-more", "1");
		assertThat(broker.topicCount()).isEqualTo(1);
	}

	@Test
	void historyOlderThanTtlIsDropped() {
		InMemoryBroker broker = new InMemoryBroker(100, Duration.ofMinutes(1), this.clock);
		String start = broker.read(this.topic, null, 10).position();
		Message first = broker.publish(this.topic, "1");
		this.clock.advance(Duration.ofSeconds(30));
		Message second = broker.publish(this.topic, "2");
		this.clock.advance(Duration.ofSeconds(31));

		// the first message is 61 s old: a resume from before it has a gap
		HistoryPage fromStart = broker.read(this.topic, start, 10);
		assertThat(fromStart.recovered()).isFalse();
		assertThat(fromStart.messages()).containsExactly(second);
		RecordingMessageListener listener = new RecordingMessageListener();
		Subscription subscription = broker.subscribe(this.topic, start, listener);
		assertThat(subscription.recovered()).isFalse();
		assertThat(listener.events()).containsExactly(false, second);
		subscription.cancel();

		// whoever already has the first message misses nothing
		HistoryPage fromFirst = broker.read(this.topic, first.id(), 10);
		assertThat(fromFirst.recovered()).isTrue();
		assertThat(fromFirst.messages()).containsExactly(second);
	}

	@Test
	void resumeAfterAllHistoryExpiredIsNotRecoveredUnlessNothingWasMissed() {
		InMemoryBroker broker = new InMemoryBroker(100, Duration.ofMinutes(1), this.clock);
		Message first = broker.publish(this.topic, "1");
		Message second = broker.publish(this.topic, "2");
		this.clock.advance(Duration.ofMinutes(2));

		HistoryPage behind = broker.read(this.topic, first.id(), 10);
		assertThat(behind.recovered()).isFalse();
		assertThat(behind.messages()).isEmpty();
		assertThat(behind.position()).isEqualTo(second.id());
		HistoryPage upToDate = broker.read(this.topic, second.id(), 10);
		assertThat(upToDate.recovered()).isTrue();
		assertThat(upToDate.messages()).isEmpty();

		RecordingMessageListener listener = new RecordingMessageListener();
		broker.subscribe(this.topic, first.id(), listener).cancel();
		assertThat(listener.events()).containsExactly(false);
	}

	@Test
	void messageExactlyAsOldAsTtlIsKept() {
		InMemoryBroker broker = new InMemoryBroker(100, Duration.ofMinutes(1), this.clock);
		String start = broker.read(this.topic, null, 10).position();
		Message message = broker.publish(this.topic, "1");
		this.clock.advance(Duration.ofMinutes(1));
		HistoryPage kept = broker.read(this.topic, start, 10);
		assertThat(kept.recovered()).isTrue();
		assertThat(kept.messages()).containsExactly(message);
		this.clock.advance(Duration.ofMillis(1));
		HistoryPage dropped = broker.read(this.topic, start, 10);
		assertThat(dropped.recovered()).isFalse();
		assertThat(dropped.messages()).isEmpty();
	}

	@Test
	void historyKeepsTheNewestMessagesAsItFillsUp() {
		InMemoryBroker broker = new InMemoryBroker(50, Duration.ofMinutes(1), this.clock);
		String start = broker.read(this.topic, null, 10).position();
		List<Message> published = publish(broker, 120);
		HistoryPage page = broker.read(this.topic, start, 1000);
		assertThat(page.recovered()).isFalse();
		assertThat(page.messages()).containsExactlyElementsOf(published.subList(70, 120));
	}

	@Test
	void defaultBrokerKeepsAThousandMessages() {
		InMemoryBroker broker = new InMemoryBroker();
		String start = broker.read(this.topic, null, 10).position();
		List<Message> published = publish(broker, 1001);
		HistoryPage page = broker.read(this.topic, start, 2000);
		assertThat(page.recovered()).isFalse();
		assertThat(page.messages()).containsExactlyElementsOf(published.subList(1, 1001));
	}

	@Test
	void positionJustBeforeTheOldestHeldMessageIsRecovered() {
		InMemoryBroker broker = new InMemoryBroker(3, Duration.ofMinutes(1), this.clock);
		List<Message> published = publish(broker, 6);
		HistoryPage page = broker.read(this.topic, published.get(2).id(), 10);
		assertThat(page.recovered()).isTrue();
		assertThat(page.messages()).containsExactlyElementsOf(published.subList(3, 6));
		assertThat(broker.read(this.topic, published.get(1).id(), 10).recovered()).isFalse();
	}

	@Test
	void idAheadOfTheTopicIsRejected() {
		InMemoryBroker broker = new InMemoryBroker(10, Duration.ofMinutes(1), this.clock);
		Message message = broker.publish(this.topic, "1");
		String ahead = epochOf(message) + ".2";
		assertThatExceptionOfType(InvalidCursorException.class).isThrownBy(() -> broker.read(this.topic, ahead, 10))
			.withMessageContaining("ahead");
		assertThatExceptionOfType(InvalidCursorException.class)
			.isThrownBy(() -> broker.subscribe(this.topic, ahead, new RecordingMessageListener()));
		assertThat(broker.subscriptionCount()).isZero();
	}

	@ParameterizedTest
	@ValueSource(strings = { "", ".", ".x", ".-1", ".+1", ".1e3", ".1.", ".1234567890123456789" })
	void idWithMalformedSequenceIsRejected(String suffix) {
		InMemoryBroker broker = new InMemoryBroker(10, Duration.ofMinutes(1), this.clock);
		String id = epochOf(broker.publish(this.topic, "1")) + suffix;
		assertThatExceptionOfType(InvalidCursorException.class).isThrownBy(() -> broker.read(this.topic, id, 10));
		assertThatExceptionOfType(InvalidCursorException.class)
			.isThrownBy(() -> broker.subscribe(this.topic, id, new RecordingMessageListener()));
	}

	@ParameterizedTest
	@ValueSource(strings = { "nodot", ".1" })
	void idWithoutEpochIsRejected(String id) {
		InMemoryBroker broker = new InMemoryBroker(10, Duration.ofMinutes(1), this.clock);
		broker.publish(this.topic, "1");
		assertThatExceptionOfType(InvalidCursorException.class).isThrownBy(() -> broker.read(this.topic, id, 10));
	}

	@Test
	void idOfAnotherTopicIsNotRecovered() {
		InMemoryBroker broker = new InMemoryBroker(10, Duration.ofMinutes(1), this.clock);
		Message elsewhere = broker.publish(this.topic + "/other", "1");
		Message message = broker.publish(this.topic, "2");
		HistoryPage page = broker.read(this.topic, elsewhere.id(), 10);
		assertThat(page.recovered()).isFalse();
		assertThat(page.messages()).containsExactly(message);
	}

	@Test
	void listenerThatThrowsIsUnsubscribed() {
		InMemoryBroker broker = new InMemoryBroker(10, Duration.ofMinutes(1), this.clock);
		Subscription failing = broker.subscribe(this.topic, null, (message) -> {
			throw new IllegalStateException("listener failure");
		});
		assertThat(broker.subscriptionCount()).isOne();
		broker.publish(this.topic, "1");
		assertThat(broker.subscriptionCount()).isZero();
		failing.cancel();
		assertThat(broker.subscriptionCount()).isZero();
	}

	@Test
	void listenerThatCancelsAnotherSubscriptionStopsItsDelivery() {
		InMemoryBroker broker = new InMemoryBroker(10, Duration.ofMinutes(1), this.clock);
		RecordingMessageListener victim = new RecordingMessageListener();
		Subscription[] victimSubscription = new Subscription[1];
		broker.subscribe(this.topic, null, (message) -> victimSubscription[0].cancel());
		victimSubscription[0] = broker.subscribe(this.topic, null, victim);
		RecordingMessageListener bystander = new RecordingMessageListener();
		broker.subscribe(this.topic, null, bystander);
		Message message = broker.publish(this.topic, "1");
		assertThat(victim.messages()).isEmpty();
		assertThat(bystander.messages()).containsExactly(message);
		assertThat(broker.subscriptionCount()).isEqualTo(2);
	}

	@Test
	void topicLogsAreCreatedOnlyByPublishingAndSubscribingToValidTopics() {
		InMemoryBroker broker = new InMemoryBroker(10, Duration.ofMinutes(1), this.clock);
		broker.publish("a", "1");
		broker.read("b", null, 10);
		broker.subscribe("c", null, new RecordingMessageListener());
		broker.publish("a", "2");
		assertThatExceptionOfType(InvalidTopicException.class).isThrownBy(() -> broker.publish("d d", "1"));
		assertThatExceptionOfType(InvalidTopicException.class).isThrownBy(() -> broker.read("d d", null, 1));
		assertThat(broker.topicCount()).isEqualTo(2);
	}

	@Test
	void negativeLimitIsRejected() {
		InMemoryBroker broker = new InMemoryBroker(10, Duration.ofMinutes(1), this.clock);
		assertThatIllegalArgumentException().isThrownBy(() -> broker.read(this.topic, null, -1))
			.withMessage("limit must not be negative");
	}

	@Test
	void limitOfZeroReturnsNoMessagesAndKeepsPosition() {
		InMemoryBroker broker = new InMemoryBroker(10, Duration.ofMinutes(1), this.clock);
		List<Message> published = publish(broker, 3);
		HistoryPage page = broker.read(this.topic, published.get(0).id(), 0);
		assertThat(page.messages()).isEmpty();
		assertThat(page.recovered()).isTrue();
		assertThat(page.position()).isEqualTo(published.get(0).id());
	}

	@Test
	void invalidSettingsAreRejected() {
		assertThatIllegalArgumentException().isThrownBy(() -> new InMemoryBroker(0, Duration.ofMinutes(1), this.clock))
			.withMessage("historySize must be at least 1");
		assertThatIllegalArgumentException().isThrownBy(() -> new InMemoryBroker(1, Duration.ZERO, this.clock))
			.withMessage("historyTtl must be positive");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new InMemoryBroker(1, Duration.ofSeconds(-1), this.clock))
			.withMessage("historyTtl must be positive");
	}

	/** Ids are opaque to clients; this test knows they look like {@code <epoch>.<sequence>}. */
	private static String epochOf(Message message) {
		return message.id().substring(0, message.id().lastIndexOf('.'));
	}

	/** A clock the test moves by hand. */
	static final class MutableClock extends Clock {

		private volatile Instant instant;

		MutableClock(Instant instant) {
			this.instant = instant;
		}

		void advance(Duration duration) {
			this.instant = this.instant.plus(duration);
		}

		@Override
		public ZoneId getZone() {
			return ZoneOffset.UTC;
		}

		@Override
		public Clock withZone(ZoneId zone) {
			return this;
		}

		@Override
		public Instant instant() {
			return this.instant;
		}

	}

}
