package io.realtime.core;

import org.jspecify.annotations.Nullable;

/**
 * Message id rules, shared by the cursor and the brokers. An id is 1–64 characters from
 * {@code A-Z a-z 0-9 . _ - :}. The brokers issue {@code <epoch>.<rest>}: the epoch names one
 * lifetime of a topic's log, so ids of an earlier one are never mistaken for current ones; the
 * rest, which holds no dot, orders ids within the epoch (a sequence in memory, a stream id in
 * Redis).
 *
 * @since 0.1.0
 */
public final class MessageIds {

	private static final int MAX_LENGTH = 64;

	private static final int MAX_EPOCH_LENGTH = 16;

	private MessageIds() {
	}

	/**
	 * Whether a string has the shape of a message id: 1–64 characters from
	 * {@code A-Z a-z 0-9 . _ - :}.
	 * @param id the candidate
	 * @return whether it may be a message id
	 */
	public static boolean isValid(@Nullable String id) {
		if (id == null || id.isEmpty() || id.length() > MAX_LENGTH) {
			return false;
		}
		for (int i = 0; i < id.length(); i++) {
			char c = id.charAt(i);
			if (c == '/' || !Topics.isTopicChar(c)) {
				return false;
			}
		}
		return true;
	}

	/**
	 * Split an id at its last dot into epoch and rest.
	 * @param id the id
	 * @return the parts, or {@code null} when the id is not valid or either part is empty
	 */
	public static @Nullable Parts split(String id) {
		int dot = id.lastIndexOf('.');
		if (dot <= 0 || dot == id.length() - 1 || !isValid(id)) {
			return null;
		}
		return new Parts(id.substring(0, dot), id.substring(dot + 1));
	}

	/**
	 * Build an id from an epoch and a sequence.
	 * @param epoch the epoch
	 * @param sequence the sequence within the epoch
	 * @return {@code <epoch>.<sequence>}
	 */
	public static String join(String epoch, long sequence) {
		return epoch + "." + sequence;
	}

	/**
	 * Build an id from an epoch and the rest.
	 * @param epoch the epoch
	 * @param rest the position within the epoch, without a dot
	 * @return {@code <epoch>.<rest>}
	 */
	public static String join(String epoch, String rest) {
		return epoch + "." + rest;
	}

	/**
	 * Whether a string has the shape of an epoch the brokers draw: 1–16 lower-case letters and
	 * digits.
	 * @param text the candidate
	 * @return whether it may be an epoch
	 */
	public static boolean isEpoch(String text) {
		if (text.isEmpty() || text.length() > MAX_EPOCH_LENGTH) {
			return false;
		}
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) {
				return false;
			}
		}
		return true;
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

	/**
	 * An id split at its last dot.
	 *
	 * @param epoch the part before the dot
	 * @param rest the part after the dot
	 */
	public record Parts(String epoch, String rest) {
	}

}
