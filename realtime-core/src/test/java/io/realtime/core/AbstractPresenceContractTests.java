package io.realtime.core;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * The {@link Presence} contract, run against every implementation. News may arrive on another
 * thread, so it is awaited.
 */
public abstract class AbstractPresenceContractTests {

	protected static final Duration WAIT = Duration.ofSeconds(10);

	/** A topic of its own per test, so a shared store needs no cleaning. */
	protected String topic = "";

	private final List<Presence.Registration> registrations = new CopyOnWriteArrayList<>();

	/**
	 * A presence implementation under test.
	 * @param maxMembers the most members per topic
	 */
	protected abstract Presence createPresence(int maxMembers);

	@BeforeEach
	void newTopic() {
		this.topic = "presence-" + UUID.randomUUID();
	}

	@AfterEach
	void closeRegistrations() {
		this.registrations.forEach(Presence.Registration::close);
		this.registrations.clear();
	}

	@Test
	void joinedMembersAreListedInJoinOrderUntilTheyLeave() {
		Presence presence = createPresence(10);
		PresenceMember ada = new PresenceMember("c1", "ada", "{\"status\":\"here\"}");
		PresenceMember anonymous = new PresenceMember("c2", null, null);
		Presence.Registration first = presence.join(this.topic, ada);
		presence.join(this.topic, anonymous);

		assertThat(presence.members(this.topic)).containsExactly(ada, anonymous);
		first.close();
		assertThat(presence.members(this.topic)).containsExactly(anonymous);
		assertThat(presence.members("elsewhere-" + this.topic)).isEmpty();
	}

	@Test
	void listenersHearJoinsAndLeavesInOrder() {
		Presence presence = createPresence(10);
		Recorder recorder = listen(presence, this.topic);
		PresenceMember ada = new PresenceMember("c1", "ada", null);
		PresenceMember bob = new PresenceMember("c2", "bob", "{}");

		Presence.Registration adaHere = presence.join(this.topic, ada);
		Presence.Registration bobHere = presence.join(this.topic, bob);
		adaHere.close();
		bobHere.close();

		await().atMost(WAIT)
			.untilAsserted(() -> assertThat(recorder.events).containsExactly("join c1 ada", "join c2 bob {}",
					"leave c1 ada", "leave c2 bob {}"));
	}

	@Test
	void closingTwiceLeavesOnce() {
		Presence presence = createPresence(10);
		Recorder recorder = listen(presence, this.topic);
		Presence.Registration here = presence.join(this.topic, new PresenceMember("c1", null, null));
		here.close();
		here.close();
		presence.join(this.topic, new PresenceMember("c2", null, null)).close();

		await().atMost(WAIT)
			.untilAsserted(() -> assertThat(recorder.events).containsExactly("join c1 null", "leave c1 null",
					"join c2 null", "leave c2 null"));
	}

	@Test
	void aListenerThatStoppedHearsNothingMore() {
		Presence presence = createPresence(10);
		Recorder stopped = new Recorder();
		Presence.Registration listening = presence.listen(this.topic, stopped);
		Recorder going = listen(presence, this.topic);
		listening.close();
		presence.join(this.topic, new PresenceMember("c1", null, null));

		await().atMost(WAIT).untilAsserted(() -> assertThat(going.events).containsExactly("join c1 null"));
		assertThat(stopped.events).isEmpty();
	}

	@Test
	void topicsAreApart() {
		Presence presence = createPresence(10);
		String other = this.topic + "/other";
		Recorder recorder = listen(presence, other);
		presence.join(this.topic, new PresenceMember("c1", null, null));
		this.registrations.add(presence.join(other, new PresenceMember("c2", null, null)));

		await().atMost(WAIT).untilAsserted(() -> assertThat(recorder.events).containsExactly("join c2 null"));
		assertThat(presence.members(other)).extracting(PresenceMember::id).containsExactly("c2");
	}

	@Test
	void aFullTopicRefusesMoreMembersUntilOneLeaves() {
		Presence presence = createPresence(2);
		Presence.Registration first = presence.join(this.topic, new PresenceMember("c1", null, null));
		presence.join(this.topic, new PresenceMember("c2", null, null));

		assertThatExceptionOfType(PresenceLimitException.class)
			.isThrownBy(() -> presence.join(this.topic, new PresenceMember("c3", null, null)));
		assertThat(presence.members(this.topic)).hasSize(2);
		first.close();
		presence.join(this.topic, new PresenceMember("c3", null, null));
		assertThat(presence.members(this.topic)).extracting(PresenceMember::id).containsExactlyInAnyOrder("c2", "c3");
	}

	@Test
	void anIdIsPresentOnceOnATopic() {
		Presence presence = createPresence(10);
		presence.join(this.topic, new PresenceMember("c1", "ada", null));

		assertThatExceptionOfType(IllegalStateException.class)
			.isThrownBy(() -> presence.join(this.topic, new PresenceMember("c1", "bob", null)));
		assertThat(presence.members(this.topic)).extracting(PresenceMember::user).containsExactly("ada");
	}

	@Test
	void userNamesAndInfoKeepEveryCharacter() {
		Presence presence = createPresence(10);
		PresenceMember odd = new PresenceMember("c1", "Zoë \"z\"\nsecond line", "{\"emoji\":\"\\u263a ☺\"}");
		Recorder recorder = listen(presence, this.topic);
		presence.join(this.topic, odd);

		assertThat(presence.members(this.topic)).containsExactly(odd);
		await().atMost(WAIT).untilAsserted(() -> assertThat(recorder.members).containsExactly(odd));
	}

	protected Recorder listen(Presence presence, String topic) {
		Recorder recorder = new Recorder();
		this.registrations.add(presence.listen(topic, recorder));
		return recorder;
	}

	/** Records news as {@code "join <id> <user>[ <info>]"}. */
	protected static final class Recorder implements PresenceListener {

		public final List<String> events = new CopyOnWriteArrayList<>();

		public final List<PresenceMember> members = new CopyOnWriteArrayList<>();

		@Override
		public void onJoin(String topic, PresenceMember member) {
			record("join", member);
		}

		@Override
		public void onLeave(String topic, PresenceMember member) {
			record("leave", member);
		}

		private void record(String what, PresenceMember member) {
			this.members.add(member);
			this.events.add(what + " " + member.id() + " " + member.user()
					+ ((member.info() != null) ? " " + member.info() : ""));
		}

	}

}
