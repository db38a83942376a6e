package io.realtime.core;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * A multi-topic position: for every topic, the id of the last message delivered. Encoded as an
 * opaque, URL-safe string that clients hand back to resume. Parsing validates the structure;
 * the broker validates each id when it is used.
 *
 * @since 0.1.0
 */
public final class Cursor {

	/** Longest encoded cursor accepted. */
	public static final int MAX_ENCODED_LENGTH = 32_768;

	private static final String VERSION = "1";

	private static final Cursor EMPTY = new Cursor(Map.of());

	private final Map<String, String> positions;

	private Cursor(Map<String, String> positions) {
		this.positions = positions;
	}

	/** A cursor without positions. */
	public static Cursor empty() {
		return EMPTY;
	}

	/**
	 * Create a cursor from topic positions.
	 * @param positions the last delivered id by topic
	 * @return the cursor
	 */
	public static Cursor of(Map<String, String> positions) {
		Map<String, String> copy = new LinkedHashMap<>();
		positions.forEach((topic, id) -> copy.put(Topics.requireValid(topic), requireValidId(id)));
		return new Cursor(Collections.unmodifiableMap(copy));
	}

	/**
	 * Decode a cursor a client handed back.
	 * @param encoded the encoded cursor
	 * @return the cursor
	 * @throws InvalidCursorException when the string is not a cursor this library issued
	 */
	public static Cursor parse(String encoded) {
		Objects.requireNonNull(encoded, "encoded must not be null");
		if (encoded.isEmpty() || encoded.length() > MAX_ENCODED_LENGTH) {
			throw new InvalidCursorException("cursor is empty or too long");
		}
		String text;
		try {
			text = new String(Base64.getUrlDecoder().decode(encoded), StandardCharsets.UTF_8);
		}
		catch (IllegalArgumentException ex) {
			throw new InvalidCursorException("cursor is not valid");
		}
		String[] parts = text.split(";", -1);
		if (!VERSION.equals(parts[0])) {
			throw new InvalidCursorException("cursor is not valid");
		}
		Map<String, String> positions = new LinkedHashMap<>();
		for (int i = 1; i < parts.length; i++) {
			int eq = parts[i].indexOf('=');
			String topic = (eq > 0) ? parts[i].substring(0, eq) : null;
			String id = (eq > 0) ? parts[i].substring(eq + 1) : null;
			if (!Topics.isValid(topic) || !MessageIds.isValid(id) || positions.put(topic, id) != null) {
				throw new InvalidCursorException("cursor is not valid");
			}
		}
		return new Cursor(Collections.unmodifiableMap(positions));
	}

	/**
	 * The last delivered id of a topic.
	 * @param topic the topic
	 * @return the id, or {@code null} when the cursor does not hold the topic
	 */
	public @Nullable String position(String topic) {
		return this.positions.get(topic);
	}

	/** The positions by topic, in insertion order. */
	public Map<String, String> positions() {
		return this.positions;
	}

	/**
	 * Encode this cursor for a client.
	 * @return an opaque, URL-safe string
	 */
	public String encode() {
		StringBuilder text = new StringBuilder(VERSION);
		this.positions.forEach((topic, id) -> text.append(';').append(topic).append('=').append(id));
		return Base64.getUrlEncoder().withoutPadding().encodeToString(text.toString().getBytes(StandardCharsets.UTF_8));
	}

	private static String requireValidId(@Nullable String id) {
		if (!MessageIds.isValid(id)) {
			throw new InvalidCursorException("message id is not valid");
		}
		return id;
	}

	@Override
	public boolean equals(Object other) {
		return (this == other) || (other instanceof Cursor that && this.positions.equals(that.positions));
	}

	@Override
	public int hashCode() {
		return this.positions.hashCode();
	}

	@Override
	public String toString() {
		return "Cursor" + this.positions;
	}

}
