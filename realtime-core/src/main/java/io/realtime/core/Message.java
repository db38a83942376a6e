package io.realtime.core;

import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * A message accepted by the broker. The envelope JSON is built once per message and shared by
 * every subscriber, whatever its transport.
 *
 * @since 0.1.0
 */
public final class Message {

	private final String topic;

	private final String id;

	private final String data;

	private final long timestamp;

	private @Nullable String json;

	/**
	 * Create a message.
	 * @param topic a valid topic
	 * @param id the broker-assigned id, URL-safe
	 * @param data the payload as compact JSON text
	 * @param timestamp the broker's accept time in epoch milliseconds
	 */
	public Message(String topic, String id, String data, long timestamp) {
		this.topic = Objects.requireNonNull(topic, "topic must not be null");
		this.id = Objects.requireNonNull(id, "id must not be null");
		this.data = Objects.requireNonNull(data, "data must not be null");
		this.timestamp = timestamp;
	}

	public String topic() {
		return this.topic;
	}

	public String id() {
		return this.id;
	}

	/** The payload as compact JSON text. */
	public String data() {
		return this.data;
	}

	/** The broker's accept time in epoch milliseconds. */
	public long timestamp() {
		return this.timestamp;
	}

	/**
	 * The wire envelope: {@code {"topic":…,"id":…,"data":…,"ts":…}}.
	 * @return compact JSON, computed once
	 */
	public String toJson() {
		String result = this.json;
		if (result == null) {
			// topic and id only hold characters that need no JSON escaping
			result = "{\"topic\":\"" + this.topic + "\",\"id\":\"" + this.id + "\",\"data\":" + this.data + ",\"ts\":"
					+ this.timestamp + "}";
			this.json = result;
		}
		return result;
	}

	@Override
	public boolean equals(Object other) {
		return (this == other) || (other instanceof Message that && this.topic.equals(that.topic)
				&& this.id.equals(that.id));
	}

	@Override
	public int hashCode() {
		return 31 * this.topic.hashCode() + this.id.hashCode();
	}

	@Override
	public String toString() {
		return toJson();
	}

}
