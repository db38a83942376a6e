package io.realtime.webmvc;

import java.security.Principal;
import java.util.List;

import io.realtime.core.InvalidTopicException;
import io.realtime.core.Topics;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class UserTopicsTests {

	private final TopicPatternAuthorizationPolicy policy = new TopicPatternAuthorizationPolicy(List.of("**"));

	@Test
	void nameIsKeptWhereItIsATopicSegmentAndEscapedElsewhere() {
		assertThat(UserTopics.of("ada", "notifications")).isEqualTo("user/ada/notifications");
		assertThat(UserTopics.of("ada@example.org", "a/b")).isEqualTo("user/ada:40example.org/a/b");
		assertThat(UserTopics.of("a:b/c", "x")).isEqualTo("user/a:3Ab:2Fc/x");
		assertThat(UserTopics.of("Zoë", "x")).isEqualTo("user/Zo:C3:AB/x");
		assertThat(Topics.isValid(UserTopics.of("name with spaces & ~", "x"))).isTrue();
	}

	@Test
	void namesThatLookAlikeGetDifferentTopics() {
		assertThat(UserTopics.of("a/b", "c")).isNotEqualTo(UserTopics.of("a", "b/c"));
		assertThat(UserTopics.of("a:2Fb", "c")).isNotEqualTo(UserTopics.of("a/b", "c"));
	}

	@Test
	void invalidNamesAndTopicsAreRefused() {
		assertThatExceptionOfType(InvalidTopicException.class).isThrownBy(() -> UserTopics.of("", "x"));
		assertThatExceptionOfType(InvalidTopicException.class).isThrownBy(() -> UserTopics.of("ada", "no spaces"));
		assertThatExceptionOfType(InvalidTopicException.class).isThrownBy(() -> UserTopics.of("a".repeat(200), "x"));
	}

	@Test
	void defaultPolicyGivesAUsersTopicsToThatUserOnly() {
		String adas = UserTopics.of("ada@example.org", "notifications");
		assertThat(this.policy.canSubscribe(user("ada@example.org"), adas)).isTrue();
		assertThat(this.policy.canPublish(user("ada@example.org"), adas)).isTrue();
		assertThat(this.policy.canSubscribe(user("bob"), adas)).isFalse();
		assertThat(this.policy.canPublish(user("bob"), adas)).isFalse();
		assertThat(this.policy.canSubscribe(null, adas)).isFalse();
		assertThat(this.policy.canSubscribe(user("ada"), "user/ada")).isFalse();
		assertThat(this.policy.canSubscribe(user("ada"), "user/adam/x")).isFalse();
		assertThat(this.policy.canSubscribe(null, "users/anything")).isTrue();
	}

	@Test
	void ownerStillNeedsAPublishPattern() {
		TopicPatternAuthorizationPolicy chatOnly = new TopicPatternAuthorizationPolicy(List.of("chat"));
		assertThat(chatOnly.canPublish(user("ada"), UserTopics.of("ada", "x"))).isFalse();
		assertThat(chatOnly.canSubscribe(user("ada"), UserTopics.of("ada", "x"))).isTrue();
	}

	private static Principal user(String name) {
		return () -> name;
	}

}
