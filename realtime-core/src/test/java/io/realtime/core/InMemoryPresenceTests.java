package io.realtime.core;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Runs the presence contract against {@link InMemoryPresence} and covers what only it does:
 * forgetting a topic once nobody is on it.
 */
class InMemoryPresenceTests extends AbstractPresenceContractTests {

	@Override
	protected Presence createPresence(int maxMembers) {
		return new InMemoryPresence(maxMembers);
	}

	@Test
	void aTopicNobodyIsOnIsForgotten() {
		InMemoryPresence presence = new InMemoryPresence(1);
		Presence.Registration listening = presence.listen("room", new Recorder());
		Presence.Registration here = presence.join("room", new PresenceMember("c1", null, null));
		try {
			presence.join("room", new PresenceMember("c2", null, null));
		}
		catch (PresenceLimitException expected) {
			// a refused join holds nothing
		}
		here.close();
		assertThat(presence.topicCount()).isEqualTo(1);
		listening.close();
		assertThat(presence.topicCount()).isZero();
	}

	@Test
	void atLeastOneMemberPerTopic() {
		assertThatIllegalArgumentException().isThrownBy(() -> new InMemoryPresence(0))
			.withMessage("maxMembers must be at least 1");
	}

}
