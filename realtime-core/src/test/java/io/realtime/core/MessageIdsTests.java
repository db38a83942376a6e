package io.realtime.core;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link MessageIds}: which strings are ids, and how the brokers' ids come apart into
 * epoch and rest and back.
 */
class MessageIdsTests {

	private static final String ALLOWED = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-:";

	@Test
	void validIdsAreShortAndUrlSafe() {
		assertThat(MessageIds.isValid("k3j2x.17")).isTrue();
		assertThat(MessageIds.isValid("A-Z_a.z:09")).isTrue();
		assertThat(MessageIds.isValid("x".repeat(64))).isTrue();
		assertThat(MessageIds.isValid("x".repeat(65))).isFalse();
		assertThat(MessageIds.isValid(null)).isFalse();
		assertThat(MessageIds.isValid("")).isFalse();
		for (String id : List.of("a/b", "a b", "a;b", "a=b", "é", "a+b", "a%b", "a\nb")) {
			assertThat(MessageIds.isValid(id)).as(id).isFalse();
		}
	}

	@Test
	void everyCharacterIsAllowedExactlyWhenTheRulesSaySo() {
		List<String> wrong = new ArrayList<>();
		for (int c = Character.MIN_VALUE; c <= Character.MAX_VALUE; c++) {
			boolean expected = ALLOWED.indexOf(c) >= 0;
			if (MessageIds.isValid(String.valueOf((char) c)) != expected) {
				wrong.add(String.format("U+%04X", c));
			}
		}
		assertThat(wrong).isEmpty();
	}

	@Test
	void joinedIdSplitsBackIntoEpochAndRest() {
		assertThat(MessageIds.join("k3j2x", 17)).isEqualTo("k3j2x.17");
		assertThat(MessageIds.join("k3j2x", "1732456789000-3")).isEqualTo("k3j2x.1732456789000-3");
		assertThat(MessageIds.split(MessageIds.join("k3j2x", 17)))
			.isEqualTo(new MessageIds.Parts("k3j2x", "17"));
		assertThat(MessageIds.split(MessageIds.join("k3j2x", "1732456789000-3")))
			.isEqualTo(new MessageIds.Parts("k3j2x", "1732456789000-3"));
	}

	@Test
	void idSplitsAtItsLastDot() {
		// the rest never holds a dot; whatever comes before it is the epoch, for the broker to judge
		assertThat(MessageIds.split("a.b.7")).isEqualTo(new MessageIds.Parts("a.b", "7"));
	}

	@ParameterizedTest
	@ValueSource(strings = { "", "nodot", ".7", "k3j2x.", ".", "a/b.7", "k3j2x.1 " })
	void idWithoutBothPartsOrNotValidDoesNotSplit(String id) {
		assertThat(MessageIds.split(id)).isNull();
	}

	@Test
	void longIdDoesNotSplit() {
		assertThat(MessageIds.split("e." + "7".repeat(62))).isNotNull();
		assertThat(MessageIds.split("e." + "7".repeat(63))).isNull();
	}

	@ParameterizedTest
	@ValueSource(strings = { "0", "k3j2x", "abcdefghijklmnop", "0123456789" })
	void lowerCaseLettersAndDigitsUpTo16AreAnEpoch(String epoch) {
		assertThat(MessageIds.isEpoch(epoch)).isTrue();
	}

	@ParameterizedTest
	@ValueSource(strings = { "", "abcdefghijklmnopq", "K3J2X", "k3-j2", "k3_j2", "k3.j2", "k3:j2", "é" })
	void otherStringIsNotAnEpoch(String epoch) {
		assertThat(MessageIds.isEpoch(epoch)).isFalse();
	}

	@Test
	void counterIsDecimalAndFitsALong() {
		assertThat(MessageIds.parseCounter("0")).isZero();
		assertThat(MessageIds.parseCounter("0017")).isEqualTo(17);
		assertThat(MessageIds.parseCounter("9".repeat(18))).isEqualTo(999_999_999_999_999_999L);
	}

	@ParameterizedTest
	@ValueSource(strings = { "", "-1", "+1", "1e3", "1.0", " 1", "1 ", "0x1", "١", "1234567890123456789" })
	void malformedCounterIsMinusOne(String text) {
		assertThat(MessageIds.parseCounter(text)).isEqualTo(-1);
	}

}
