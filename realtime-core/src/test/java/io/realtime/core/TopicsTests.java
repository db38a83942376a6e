package io.realtime.core;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for {@link Topics}: 1–128 characters from {@code A-Z a-z 0-9 . _ - : /}.
 */
class TopicsTests {

	private static final String ALLOWED = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-:/";

	@ParameterizedTest
	@ValueSource(strings = { "chat", "A", "z", "0", "rooms/42:messages.v1_x-y", "UPPER", "lower", "0123456789",
			"a.b", "a_b", "a-b", "a:b", "a/b", "/", "..." })
	void topicFromAllowedCharactersIsValid(String topic) {
		assertThat(Topics.isValid(topic)).isTrue();
		assertThat(Topics.requireValid(topic)).isSameAs(topic);
	}

	@Test
	void everyCharacterIsAllowedExactlyWhenTheRulesSaySo() {
		List<String> wrong = new ArrayList<>();
		for (int c = Character.MIN_VALUE; c <= Character.MAX_VALUE; c++) {
			boolean expected = ALLOWED.indexOf(c) >= 0;
			if (Topics.isValid(String.valueOf((char) c)) != expected) {
				wrong.add(String.format("U+%04X", c));
			}
		}
		assertThat(wrong).isEmpty();
	}

	@Test
	void topicOfEveryAllowedCharacterIsValid() {
		assertThat(Topics.isValid(ALLOWED)).isTrue();
	}

	@Test
	void topicOfMaximumLengthIsValid() {
		assertThat(Topics.isValid("t".repeat(128))).isTrue();
		assertThat(Topics.MAX_LENGTH).isEqualTo(128);
	}

	@Test
	void topicOverMaximumLengthIsRejected() {
		String topic = "t".repeat(129);
		assertThat(Topics.isValid(topic)).isFalse();
		assertThatExceptionOfType(InvalidTopicException.class).isThrownBy(() -> Topics.requireValid(topic))
			.withMessage("topic must be 1-128 characters from A-Z a-z 0-9 . _ - : /");
	}

	@ParameterizedTest
	@NullAndEmptySource
	void missingTopicIsRejected(String topic) {
		assertThat(Topics.isValid(topic)).isFalse();
		assertThatExceptionOfType(InvalidTopicException.class).isThrownBy(() -> Topics.requireValid(topic))
			.withMessage("topic is required");
	}

	@ParameterizedTest
	@ValueSource(strings = { " ", " chat", "chat ", "chat room", "chat\t", "chat\n", "chät", "Ωmega", "日本", "😀",
			"a;b", "a=b", "a?b", "a#b", "a&b", "a%20b", "a+b", "a,b", "a*b", "a\\b", "a\"b", "a'b", "a<b", "a~b",
			"a\u0000b", "a\u00a0b", "ａ" })
	void topicWithOtherCharactersIsRejected(String topic) {
		assertThat(Topics.isValid(topic)).isFalse();
		assertThatExceptionOfType(InvalidTopicException.class).isThrownBy(() -> Topics.requireValid(topic))
			.withMessageContaining("A-Z a-z 0-9");
	}

}
