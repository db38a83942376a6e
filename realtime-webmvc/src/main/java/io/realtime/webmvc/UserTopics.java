package io.realtime.webmvc;

import java.nio.charset.StandardCharsets;

import io.realtime.core.InvalidTopicException;
import io.realtime.core.Topics;

/**
 * Names of one user's private topics: {@code user/<name>/<topic>}, where {@code <name>} is the
 * principal's name with every character other than {@code A-Z a-z 0-9 . _ -} written as
 * {@code :XX} per UTF-8 byte ({@code ada@example.org} becomes {@code ada:40example.org}), so
 * that any name maps to one valid topic segment and no two names share one. The default
 * {@link TopicPatternAuthorizationPolicy} lets only that principal subscribe to them.
 *
 * @since 0.1.0
 */
public final class UserTopics {

	/** The first segment of every user topic. */
	public static final String PREFIX = "user/";

	private static final char[] HEX = "0123456789ABCDEF".toCharArray();

	private UserTopics() {
	}

	/**
	 * The private topic of a user.
	 * @param user the principal's name
	 * @param topic the topic within the user's own, a valid topic
	 * @return {@code user/<encoded name>/<topic>}
	 * @throws InvalidTopicException when the name is empty or the result is not a valid topic
	 */
	public static String of(String user, String topic) {
		if (user == null || user.isEmpty()) {
			throw new InvalidTopicException("user is required");
		}
		return Topics.requireValid(PREFIX + encode(user) + "/" + Topics.requireValid(topic));
	}

	/**
	 * Whether the topic is a user's private topic.
	 * @param topic a valid topic
	 * @return {@code true} when it starts with {@link #PREFIX}
	 */
	public static boolean isUserTopic(String topic) {
		return topic.startsWith(PREFIX);
	}

	/**
	 * Whether the topic is one of this user's private topics.
	 * @param topic a valid topic
	 * @param user the principal's name
	 * @return {@code true} when the topic is {@code user/<encoded name>/…}
	 */
	public static boolean belongsTo(String topic, String user) {
		if (!isUserTopic(topic) || user.isEmpty()) {
			return false;
		}
		String name = encode(user);
		return topic.length() > PREFIX.length() + name.length() + 1 && topic.startsWith(name, PREFIX.length())
				&& topic.charAt(PREFIX.length() + name.length()) == '/';
	}

	static String encode(String user) {
		StringBuilder encoded = new StringBuilder(user.length());
		for (byte b : user.getBytes(StandardCharsets.UTF_8)) {
			char c = (char) (b & 0xFF);
			if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_'
					|| c == '-') {
				encoded.append(c);
			}
			else {
				encoded.append(':').append(HEX[c >> 4]).append(HEX[c & 0xF]);
			}
		}
		return encoded.toString();
	}

}
