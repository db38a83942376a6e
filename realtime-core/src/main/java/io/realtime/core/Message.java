package io.realtime.core;

import java.util.Objects;

/**
 * A message accepted by the broker.
 *
 * @since 0.1.0
 */
public final class Message {

	private final String topic;

	private final String id;

	private final String data;

	private final long timestamp;

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
		return "Message[topic=" + this.topic + ", id=" + this.id + "]";
	}

}
