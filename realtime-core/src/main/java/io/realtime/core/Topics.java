package io.realtime.core;

import org.jspecify.annotations.Nullable;

/**
 * Topic name rules: 1–128 characters from {@code A-Z a-z 0-9 . _ - : /}.
 *
 * @since 0.1.0
 */
public final class Topics {

	/** Longest topic name accepted. */
	public static final int MAX_LENGTH = 128;

	private Topics() {
	}

	/**
	 * Whether the given string is a valid topic name.
	 * @param topic the candidate, may be {@code null}
	 * @return {@code true} when it can be used as a topic
	 */
	public static boolean isValid(@Nullable String topic) {
		if (topic == null || topic.isEmpty() || topic.length() > MAX_LENGTH) {
			return false;
		}
		for (int i = 0; i < topic.length(); i++) {
			if (!isTopicChar(topic.charAt(i))) {
				return false;
			}
		}
		return true;
	}

	/**
	 * Return the topic when valid, otherwise throw.
	 * @param topic the candidate
	 * @return the same topic
	 * @throws InvalidTopicException when the topic is missing or malformed
	 */
	public static String requireValid(@Nullable String topic) {
		if (topic == null || topic.isEmpty()) {
			throw new InvalidTopicException("topic is required");
		}
		if (!isValid(topic)) {
			throw new InvalidTopicException("topic must be 1-" + MAX_LENGTH
					+ " characters from A-Z a-z 0-9 . _ - : /");
		}
		return topic;
	}

	static boolean isTopicChar(char c) {
		return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_'
				|| c == '-' || c == ':' || c == '/';
	}

}
