package io.realtime.core;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Tests for {@link Cursor}: what the server hands out comes back intact, and whatever a client
 * hands back either parses or is an {@link InvalidCursorException}, never anything else.
 */
class CursorTests {

	private static final String URL_SAFE = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

	@Test
	void encodedCursorParsesBackToTheSamePositionsInOrder() {
		Map<String, String> positions = new LinkedHashMap<>();
		positions.put("chat", "k3j2x.17");
		positions.put("rooms/42:messages", "a_b-c.0");
		positions.put("A.B_C-D", "1710000000000-0");
		Cursor cursor = Cursor.of(positions);
		Cursor parsed = Cursor.parse(cursor.encode());
		assertThat(parsed).isEqualTo(cursor).hasSameHashCodeAs(cursor);
		assertThat(parsed.positions()).containsExactly(Map.entry("chat", "k3j2x.17"),
				Map.entry("rooms/42:messages", "a_b-c.0"), Map.entry("A.B_C-D", "1710000000000-0"));
		assertThat(parsed.position("rooms/42:messages")).isEqualTo("a_b-c.0");
		assertThat(parsed.position("absent")).isNull();
	}

	@Test
	void emptyCursorRoundTrips() {
		Cursor parsed = Cursor.parse(Cursor.empty().encode());
		assertThat(parsed).isEqualTo(Cursor.empty());
		assertThat(parsed.positions()).isEmpty();
		assertThat(Cursor.of(Map.of())).isEqualTo(Cursor.empty());
	}

	@Test
	void cursorOfTheMostTopicsAConnectionMayHaveRoundTrips() {
		// 100 is realtime.max-topics-per-connection's default: the server never issues a cursor it refuses
		Map<String, String> positions = new LinkedHashMap<>();
		for (int i = 0; i < 100; i++) {
			positions.put(String.format("%03d", i) + "t".repeat(Topics.MAX_LENGTH - 3), "i".repeat(64));
		}
		Cursor cursor = Cursor.of(positions);
		String encoded = cursor.encode();
		assertThat(encoded.length()).isLessThanOrEqualTo(Cursor.MAX_ENCODED_LENGTH);
		assertThat(Cursor.parse(encoded)).isEqualTo(cursor);
	}

	@Test
	void encodedCursorIsUrlSafe() {
		Random random = new Random(7);
		for (int i = 0; i < 500; i++) {
			Map<String, String> positions = new LinkedHashMap<>();
			int topics = random.nextInt(5);
			for (int t = 0; t < topics; t++) {
				positions.put(randomString(random, "abcXYZ019._-:/", 1 + random.nextInt(Topics.MAX_LENGTH)),
						randomString(random, "abcXYZ019._-:", 1 + random.nextInt(64)));
			}
			Cursor cursor = Cursor.of(positions);
			String encoded = cursor.encode();
			assertThat(encoded).matches("[A-Za-z0-9_-]+");
			assertThat(Cursor.parse(encoded)).isEqualTo(cursor);
		}
	}

	@Test
	void positionsCannotBeModified() {
		Map<String, String> positions = new LinkedHashMap<>();
		positions.put("chat", "e.1");
		Cursor cursor = Cursor.of(positions);
		positions.put("news", "e.2");
		assertThat(cursor.positions()).containsOnlyKeys("chat");
		assertThatExceptionOfType(UnsupportedOperationException.class)
			.isThrownBy(() -> cursor.positions().put("news", "e.2"));
		assertThatExceptionOfType(UnsupportedOperationException.class)
			.isThrownBy(() -> Cursor.parse(cursor.encode()).positions().put("news", "e.2"));
	}

	@Test
	void ofRejectsInvalidTopicsAndIds() {
		assertThatExceptionOfType(InvalidTopicException.class).isThrownBy(() -> Cursor.of(Map.of("a b", "e.1")));
		assertThatExceptionOfType(InvalidCursorException.class).isThrownBy(() -> Cursor.of(Map.of("chat", "")));
		assertThatExceptionOfType(InvalidCursorException.class).isThrownBy(() -> Cursor.of(Map.of("chat", "a/b")));
		assertThatExceptionOfType(InvalidCursorException.class)
			.isThrownBy(() -> Cursor.of(Map.of("chat", "x".repeat(65))));
	}

	@ParameterizedTest
	@ValueSource(strings = { "", "!!!!", "A", "MQ=A", "not base64 at all", "MTtjaGF0PWUuMQ+/", "bWF5YmU%3D",
			"MTtjaGF0PWUuMQ\n" })
	void stringThatIsNotUrlSafeBase64IsRejected(String encoded) {
		assertThatExceptionOfType(InvalidCursorException.class).isThrownBy(() -> Cursor.parse(encoded));
	}

	@ParameterizedTest
	@ValueSource(strings = { "", "0", "2", "2;chat=e.1", "v1;chat=e.1", " 1;chat=e.1", ";chat=e.1", "1;", "1;chat",
			"1;chat=", "1;=e.1", "1;chat=e.1;", "1;chat=e.1;chat=e.2", "1;chat room=e.1", "1;chät=e.1",
			"1;chat=e 1", "1;chat=e/1", "1;chat=e=1", "1;chat=é", "1;chat=e.1\n", "1,chat=e.1" })
	void textThatIsNotACursorIsRejected(String text) {
		String encoded = base64(text.getBytes(StandardCharsets.UTF_8));
		assertThatExceptionOfType(InvalidCursorException.class).isThrownBy(() -> Cursor.parse(encoded));
	}

	@Test
	void tooLongTopicOrIdIsRejected() {
		String topic = "t".repeat(Topics.MAX_LENGTH + 1);
		assertThatExceptionOfType(InvalidCursorException.class)
			.isThrownBy(() -> Cursor.parse(base64("1;" + topic + "=e.1")));
		assertThatExceptionOfType(InvalidCursorException.class)
			.isThrownBy(() -> Cursor.parse(base64("1;chat=" + "i".repeat(65))));
	}

	@Test
	void bytesThatAreNotUtf8AreRejected() {
		byte[] bytes = { '1', ';', 'c', '=', (byte) 0xC3, (byte) 0x28, (byte) 0xFF };
		assertThatExceptionOfType(InvalidCursorException.class).isThrownBy(() -> Cursor.parse(base64(bytes)));
	}

	@Test
	void overlongCursorIsRejected() {
		String encoded = "A".repeat(Cursor.MAX_ENCODED_LENGTH + 1);
		assertThatExceptionOfType(InvalidCursorException.class).isThrownBy(() -> Cursor.parse(encoded));
	}

	@Test
	void parseEitherSucceedsOrThrowsInvalidCursorException() {
		// a fixed seed keeps a failure reproducible; the failing input is in the message
		Random random = new Random(20260611);
		String valid = Cursor.of(Map.of("chat", "k3j2x.17", "rooms/42", "k3j2x.3")).encode();
		String textAlphabet = "1;=ab.Z09_-:/ é\u0000\n;;==";
		int parsed = 0;
		for (int i = 0; i < 20_000; i++) {
			String candidate = switch (i % 5) {
				case 0 -> randomString(random, URL_SAFE, random.nextInt(48));
				case 1 -> base64(randomBytes(random, random.nextInt(64)));
				case 2 -> mutate(random, valid);
				case 3 -> base64(("1;" + randomString(random, textAlphabet, random.nextInt(40)))
					.getBytes(StandardCharsets.UTF_8));
				default -> randomString(random, URL_SAFE + "=+/%.~ \u00e9\u4e2d\ud83d\ude00", random.nextInt(48));
			};
			Throwable thrown = catchThrowable(() -> Cursor.parse(candidate));
			if (thrown == null) {
				Cursor cursor = Cursor.parse(candidate);
				assertThat(Cursor.parse(cursor.encode())).as(candidate).isEqualTo(cursor);
				parsed++;
			}
			else {
				assertThat(thrown).as("Cursor.parse(\"%s\")", candidate).isExactlyInstanceOf(InvalidCursorException.class);
			}
		}
		// the generators reach valid cursors too, not only garbage
		assertThat(parsed).isPositive();
	}

	private static String mutate(Random random, String encoded) {
		char[] chars = encoded.toCharArray();
		int changes = 1 + random.nextInt(3);
		for (int i = 0; i < changes; i++) {
			chars[random.nextInt(chars.length)] = URL_SAFE.charAt(random.nextInt(URL_SAFE.length()));
		}
		String mutated = new String(chars);
		return random.nextBoolean() ? mutated : mutated.substring(0, random.nextInt(mutated.length() + 1));
	}

	private static String randomString(Random random, String alphabet, int length) {
		StringBuilder text = new StringBuilder(length);
		for (int i = 0; i < length; i++) {
			text.append(alphabet.charAt(random.nextInt(alphabet.length())));
		}
		return text.toString();
	}

	private static byte[] randomBytes(Random random, int length) {
		byte[] bytes = new byte[length];
		random.nextBytes(bytes);
		return bytes;
	}

	private static String base64(String text) {
		return base64(text.getBytes(StandardCharsets.UTF_8));
	}

	private static String base64(byte[] bytes) {
		return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
	}

}
