package io.realtime.core;

import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * One member present on a topic: a connection, or a polling client.
 *
 * @param id the member's id, unique on its topic: a connection id, or derived from a polling
 * client's own id
 * @param user the signed-in user's name, or {@code null} when anonymous
 * @param info small client information as a compact JSON object, or {@code null}
 * @since 0.1.0
 */
public record PresenceMember(String id, @Nullable String user, @Nullable String info) {

	public PresenceMember {
		Objects.requireNonNull(id, "id must not be null");
		if (id.isEmpty() || id.indexOf('\n') >= 0) {
			throw new IllegalArgumentException("id must be one non-empty line");
		}
	}

	/** The identity people see: the user when signed in, else the member's id. */
	public String identity() {
		return (this.user != null) ? this.user : this.id;
	}

}
