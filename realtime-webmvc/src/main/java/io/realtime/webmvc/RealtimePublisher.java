package io.realtime.webmvc;

import java.util.Objects;
import java.util.concurrent.CompletionStage;

import io.realtime.core.Broker;
import io.realtime.core.Message;
import io.realtime.core.Topics;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.core.exc.StreamConstraintsException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Publishes messages from server code, serializing payloads with the application's Jackson
 * mapper. Server code is never subject to the client limits or the authorization policy.
 *
 * <pre class="code">
 * realtime.publish("chat", new ChatLine("ada", "hello"));
 * realtime.publishToUser("ada", "notifications", new Notice("Your export is ready"));
 * </pre>
 *
 * @since 0.1.0
 */
public class RealtimePublisher {

	private final Broker broker;

	private final JsonMapper jsonMapper;

	/** Reads client JSON without rounding numbers, so it is republished as sent. */
	private final JsonMapper parser;

	private final RealtimeMetrics metrics;

	public RealtimePublisher(Broker broker, JsonMapper jsonMapper, RealtimeMetrics metrics) {
		this.broker = Objects.requireNonNull(broker, "broker must not be null");
		this.jsonMapper = Objects.requireNonNull(jsonMapper, "jsonMapper must not be null");
		this.parser = jsonMapper.rebuild().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS).build();
		this.metrics = Objects.requireNonNull(metrics, "metrics must not be null");
	}

	/**
	 * Publish an object, serialized to JSON. A {@code String} arrives as a JSON string.
	 * @param topic a valid topic
	 * @param payload the payload, may be {@code null} (JSON {@code null})
	 * @return the accepted message
	 */
	public Message publish(String topic, @Nullable Object payload) {
		Topics.requireValid(topic);
		return send(topic, this.jsonMapper.writeValueAsString(payload));
	}

	/**
	 * Publish JSON text as is (compacted).
	 * @param topic a valid topic
	 * @param json any JSON value
	 * @return the accepted message
	 * @throws IllegalArgumentException when the text is not one JSON value
	 */
	public Message publishJson(String topic, String json) {
		Topics.requireValid(topic);
		return publishJson(topic, parse(json));
	}

	/**
	 * Publish a JSON tree.
	 * @param topic a valid topic
	 * @param json the payload
	 * @return the accepted message
	 */
	public Message publishJson(String topic, JsonNode json) {
		Topics.requireValid(topic);
		return send(topic, this.jsonMapper.writeValueAsString(json));
	}

	/**
	 * Publish an object to one user: on that user's private topic ({@link UserTopics}), which
	 * every connection of that principal may subscribe to, on every instance and transport, and
	 * (with the default policy) no one else.
	 * <pre class="code">
	 * realtime.publishToUser("ada", "notifications", new Notice("Your export is ready"));
	 * </pre>
	 * @param user the principal's name
	 * @param topic the topic within the user's own, a valid topic
	 * @param payload the payload, may be {@code null} (JSON {@code null})
	 * @return the accepted message; its topic is {@code user/<encoded name>/<topic>}
	 */
	public Message publishToUser(String user, String topic, @Nullable Object payload) {
		return publish(UserTopics.of(user, topic), payload);
	}

	/**
	 * Publish an object, serialized to JSON, without waiting for the broker's store (see
	 * {@link Broker#publishAsync}). A {@code String} arrives as a JSON string.
	 * @param topic a valid topic
	 * @param payload the payload, may be {@code null} (JSON {@code null})
	 * @return the accepted message, or a failure with
	 * {@link io.realtime.core.BrokerUnavailableException} when the broker cannot accept it now
	 */
	public CompletionStage<Message> publishAsync(String topic, @Nullable Object payload) {
		Topics.requireValid(topic);
		return sendAsync(topic, this.jsonMapper.writeValueAsString(payload));
	}

	/**
	 * Publish JSON text as is (compacted), without waiting for the broker's store (see
	 * {@link Broker#publishAsync}).
	 * @param topic a valid topic
	 * @param json any JSON value
	 * @return the accepted message, or a failure with
	 * {@link io.realtime.core.BrokerUnavailableException} when the broker cannot accept it now
	 * @throws IllegalArgumentException when the text is not one JSON value
	 */
	public CompletionStage<Message> publishJsonAsync(String topic, String json) {
		Topics.requireValid(topic);
		return sendAsync(topic, this.jsonMapper.writeValueAsString(parse(json)));
	}

	/**
	 * Parse JSON text into a tree, rejecting anything but exactly one JSON value.
	 * @param json the text
	 * @return the tree
	 * @throws IllegalArgumentException when the text is not one JSON value
	 */
	public JsonNode parse(String json) {
		try {
			JsonNode node = this.parser.readTree(json);
			if (node == null || node.isMissingNode()) {
				throw new IllegalArgumentException("body must be one JSON value");
			}
			return node;
		}
		catch (StreamConstraintsException ex) {
			throw new IllegalArgumentException("body is past the JSON limits: nested too deeply, or a number, "
					+ "string or name too long");
		}
		catch (JacksonException ex) {
			// the parser's own message names its classes and echoes the input: only say where
			TokenStreamLocation at = ex.getLocation();
			throw new IllegalArgumentException("body is not valid JSON" + ((at != null && at.getLineNr() > 0)
					? " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")" : ""));
		}
	}

	private Message send(String topic, String json) {
		Message message = this.broker.publish(topic, json);
		this.metrics.published();
		return message;
	}

	private CompletionStage<Message> sendAsync(String topic, String json) {
		return this.broker.publishAsync(topic, json).thenApply((message) -> {
			this.metrics.published();
			return message;
		});
	}

}
