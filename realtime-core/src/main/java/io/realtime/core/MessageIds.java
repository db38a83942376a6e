package io.realtime.core;

/**
 * Parsing the parts of message ids, shared by the brokers.
 *
 * @since 0.1.0
 */
public final class MessageIds {

	private MessageIds() {
	}

	/**
	 * The value of a decimal counter in a message id.
	 * @param text the digits
	 * @return the value, or {@code -1} when the text is empty, not all ASCII digits, or longer
	 * than 18 digits (so it always fits a {@code long})
	 */
	public static long parseCounter(String text) {
		if (text.isEmpty() || text.length() > 18) {
			return -1;
		}
		for (int i = 0; i < text.length(); i++) {
			if (text.charAt(i) < '0' || text.charAt(i) > '9') {
				return -1;
			}
		}
		return Long.parseLong(text);
	}

}
