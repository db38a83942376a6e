package io.realtime.webmvc;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;

import io.realtime.core.Cursor;
import io.realtime.core.Message;
import io.realtime.core.PresenceMember;
import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpStatus;

/**
 * Every JSON body, frame and SSE event the transports send, as docs/PROTOCOL.md defines them.
 * A message fanned out to many subscribers is encoded once: the envelope, the SSE event of a
 * one-topic stream and the WebSocket frame of the message most recently sent are kept and
 * shared by every connection.
 *
 * @since 0.1.0
 */
public final class WireFormat {

	/** An SSE comment that keeps proxies from closing an idle stream. */
	public static final byte[] SSE_HEARTBEAT = ":keep-alive\n\n".getBytes(StandardCharsets.UTF_8);

	/** The WebSocket answer to a {@code ping} frame. */
	public static final String PONG = "{\"type\":\"pong\"}";

	private volatile @Nullable Encoded<String> envelope;

	private volatile @Nullable Encoded<byte[]> event;

	private volatile @Nullable Encoded<Frame> frame;

	/**
	 * The envelope {@code {"topic":…,"id":…,"data":…,"ts":…}} of a message.
	 * @param message the message
	 * @return compact JSON
	 */
	public String envelope(Message message) {
		Encoded<String> last = this.envelope;
		if (last == null || last.message() != message) {
			// topic and id only hold characters that need no JSON escaping
			last = new Encoded<>(message, "{\"topic\":\"" + message.topic() + "\",\"id\":\"" + message.id()
					+ "\",\"data\":" + message.data() + ",\"ts\":" + message.timestamp() + "}");
			this.envelope = last;
		}
		return last.value();
	}

	/**
	 * The SSE {@code message} event of a message for a stream of that one topic, whose cursor
	 * after it is the same for every such stream.
	 * @param message the message
	 * @return the event, shared: not to be modified
	 */
	public byte[] sseMessage(Message message) {
		Encoded<byte[]> last = this.event;
		if (last == null || last.message() != message) {
			last = new Encoded<>(message, sseMessage(Cursor.of(Map.of(message.topic(), message.id())).encode(),
					message));
			this.event = last;
		}
		return last.value();
	}

	/**
	 * The SSE {@code message} event of a message.
	 * @param cursor the cursor after it, the event's id
	 * @param message the message
	 * @return the event
	 */
	public byte[] sseMessage(String cursor, Message message) {
		return utf8("id:" + cursor + "\nevent:message\ndata:" + envelope(message) + "\n\n");
	}

	/**
	 * The SSE {@code ready} event: the stream's starting cursor, before any message.
	 * @param cursor the starting cursor
	 * @param topics the stream's topics
	 * @return the event
	 */
	public byte[] sseReady(String cursor, Collection<String> topics) {
		return utf8("id:" + cursor + "\nevent:ready\ndata:{\"topics\":" + topicArray(topics) + "}\n\n");
	}

	/**
	 * The SSE {@code reset} event of a topic that could not be resumed without a gap.
	 * @param topic the topic
	 * @return the event
	 */
	public byte[] sseReset(String topic) {
		return utf8("event:reset\ndata:{\"topics\":[\"" + topic + "\"]}\n\n");
	}

	/**
	 * The SSE {@code retry} field advising clients how long to wait before reconnecting.
	 * @param retry the delay
	 * @return the field
	 */
	public byte[] sseRetry(Duration retry) {
		return utf8("retry:" + retry.toMillis() + "\n\n");
	}

	/**
	 * The reply of a poll or long poll.
	 * @param messages the messages, oldest first
	 * @param cursor the cursor after them
	 * @param reset the topics that could not be resumed without a gap
	 * @return compact JSON
	 */
	public String pollReply(List<Message> messages, String cursor, Collection<String> reset) {
		return pollReply(messages, cursor, reset, List.of());
	}

	/**
	 * The reply of a poll or long poll, with news of presence.
	 * @param messages the messages, oldest first
	 * @param cursor the cursor after them
	 * @param reset the topics that could not be resumed without a gap
	 * @param presence {@link #presenceChange} entries, oldest first
	 * @return compact JSON
	 */
	public String pollReply(List<Message> messages, String cursor, Collection<String> reset,
			List<String> presence) {
		StringBuilder json = new StringBuilder(96 + messages.size() * 128).append("{\"messages\":[");
		for (int i = 0; i < messages.size(); i++) {
			json.append((i > 0) ? "," : "").append(envelope(messages.get(i)));
		}
		json.append("],\"cursor\":\"").append(cursor).append("\",\"recovered\":").append(reset.isEmpty());
		if (!reset.isEmpty()) {
			json.append(",\"reset\":").append(topicArray(reset));
		}
		if (!presence.isEmpty()) {
			json.append(",\"presence\":[").append(String.join(",", presence)).append(']');
		}
		return json.append('}').toString();
	}

	/**
	 * The reply of an accepted HTTP publish.
	 * @param message the accepted message
	 * @return compact JSON
	 */
	public String accepted(Message message) {
		return "{\"topic\":\"" + message.topic() + "\",\"id\":\"" + message.id() + "\"}";
	}

	/**
	 * The WebSocket {@code message} frame of a message.
	 * @param message the message
	 * @return the frame, shared: not to be modified
	 */
	public Frame messageFrame(Message message) {
		Encoded<Frame> last = this.frame;
		if (last == null || last.message() != message) {
			String text = "{\"type\":\"message\"," + envelope(message).substring(1);
			last = new Encoded<>(message, textFrame(text));
			this.frame = last;
		}
		return last.value();
	}

	/**
	 * The WebSocket {@code subscribed} frame.
	 * @param topic the topic
	 * @param recovered whether the subscription resumed without a gap
	 * @param position the id the subscription starts after
	 * @return compact JSON
	 */
	public String subscribed(String topic, boolean recovered, String position) {
		return "{\"type\":\"subscribed\",\"topic\":\"" + topic + "\",\"recovered\":" + recovered + ",\"position\":\""
				+ position + "\"}";
	}

	/**
	 * The WebSocket {@code unsubscribed} frame.
	 * @param topic the topic
	 * @return compact JSON
	 */
	public String unsubscribed(String topic) {
		return "{\"type\":\"unsubscribed\",\"topic\":\"" + topic + "\"}";
	}

	/**
	 * The WebSocket {@code published} frame.
	 * @param message the accepted message
	 * @param ref the client's reference, echoed
	 * @return compact JSON
	 */
	public String published(Message message, @Nullable String ref) {
		StringBuilder json = new StringBuilder("{\"type\":\"published\",\"topic\":\"").append(message.topic())
			.append("\",\"id\":\"")
			.append(message.id())
			.append('"');
		if (ref != null) {
			json.append(",\"ref\":").append(quote(ref));
		}
		return json.append('}').toString();
	}

	/**
	 * The WebSocket {@code error} frame.
	 * @param code the protocol's error code
	 * @param message what went wrong, for people
	 * @param ref the client's reference, echoed
	 * @param topic the topic the frame named, echoed
	 * @param retryAfter how long to wait before sending the frame again ({@code rate_limited}),
	 * written in milliseconds
	 * @return compact JSON
	 */
	public String error(String code, String message, @Nullable String ref, @Nullable String topic,
			@Nullable Duration retryAfter) {
		StringBuilder json = new StringBuilder("{\"type\":\"error\",\"code\":\"").append(code)
			.append("\",\"message\":")
			.append(quote(message));
		if (ref != null) {
			json.append(",\"ref\":").append(quote(ref));
		}
		if (topic != null) {
			json.append(",\"topic\":").append(quote(topic));
		}
		if (retryAfter != null) {
			json.append(",\"retryAfter\":").append(retryAfter.toMillis());
		}
		return json.append('}').toString();
	}

	/**
	 * A presence member {@code {"id":…,"user":…,"info":…}}; {@code user} and {@code info} only
	 * when it has them.
	 * @param member the member
	 * @return compact JSON
	 */
	public String member(PresenceMember member) {
		StringBuilder json = new StringBuilder("{\"id\":").append(quote(member.id()));
		if (member.user() != null) {
			json.append(",\"user\":").append(quote(member.user()));
		}
		if (member.info() != null) {
			// checked and compacted JSON when the member joined
			json.append(",\"info\":").append(member.info());
		}
		return json.append('}').toString();
	}

	/**
	 * The members present on a topic: the reply of {@code GET /presence}, and with a type and the
	 * client's reference the WebSocket {@code presence} frame.
	 * @param type the frame type, or {@code null} for the HTTP body
	 * @param topic the topic
	 * @param members the members
	 * @param ref the client's reference, echoed, or {@code null}
	 * @return compact JSON
	 */
	public String presence(@Nullable String type, String topic, List<PresenceMember> members, @Nullable String ref) {
		StringBuilder json = new StringBuilder("{");
		if (type != null) {
			json.append("\"type\":\"").append(type).append("\",");
		}
		json.append("\"topic\":\"").append(topic).append("\",\"members\":[");
		for (int i = 0; i < members.size(); i++) {
			json.append((i > 0) ? "," : "").append(member(members.get(i)));
		}
		json.append(']');
		if (ref != null) {
			json.append(",\"ref\":").append(quote(ref));
		}
		return json.append('}').toString();
	}

	/**
	 * News of a member who joined or left a topic: the WebSocket frame, and an entry of a poll
	 * reply's {@code presence} array.
	 * @param joined {@code true} for {@code join}, {@code false} for {@code leave}
	 * @param topic the topic
	 * @param member the member
	 * @return compact JSON
	 */
	public String presenceChange(boolean joined, String topic, PresenceMember member) {
		return "{\"type\":\"" + (joined ? "join" : "leave") + "\",\"topic\":\"" + topic + "\",\"member\":"
				+ member(member) + "}";
	}

	/**
	 * The SSE {@code join} or {@code leave} event. It has no id: it moves no cursor.
	 * @param joined {@code true} for {@code join}, {@code false} for {@code leave}
	 * @param topic the topic
	 * @param member the member
	 * @return the event
	 */
	public byte[] ssePresenceChange(boolean joined, String topic, PresenceMember member) {
		return utf8("event:" + (joined ? "join" : "leave") + "\ndata:{\"topic\":\"" + topic + "\",\"member\":"
				+ member(member) + "}\n\n");
	}

	/**
	 * An RFC 9457 problem body: the fields of Spring's {@code ProblemDetail}.
	 * @param status the HTTP status
	 * @param detail what went wrong, in this library's words
	 * @param instance the request path, or {@code null}
	 * @return the JSON
	 */
	public static String problem(HttpStatus status, String detail, @Nullable String instance) {
		return problem(status, detail, instance, null);
	}

	/**
	 * An RFC 9457 problem body with, when given, {@code retryAfter} in milliseconds (what the
	 * browser client waits for, as it does for a WebSocket error frame's).
	 * @param status the HTTP status
	 * @param detail what went wrong, in this library's words
	 * @param instance the request path, or {@code null}
	 * @param retryAfter how long to wait before trying again, or {@code null}
	 * @return the JSON
	 */
	public static String problem(HttpStatus status, String detail, @Nullable String instance,
			@Nullable Duration retryAfter) {
		return "{\"detail\":" + quote(detail) + ((instance != null) ? ",\"instance\":" + quote(instance) : "")
				+ ((retryAfter != null) ? ",\"retryAfter\":" + retryAfter.toMillis() : "") + ",\"status\":"
				+ status.value() + ",\"title\":" + quote(status.getReasonPhrase()) + "}";
	}

	private static String topicArray(Collection<String> topics) {
		// valid topics need no JSON escaping
		return topics.isEmpty() ? "[]" : "[\"" + String.join("\",\"", topics) + "\"]";
	}

	/** A JSON string. */
	static String quote(String text) {
		StringBuilder json = new StringBuilder(text.length() + 2).append('"');
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			switch (c) {
				case '"' -> json.append("\\\"");
				case '\\' -> json.append("\\\\");
				case '\n' -> json.append("\\n");
				case '\r' -> json.append("\\r");
				case '\t' -> json.append("\\t");
				default -> {
					if (c < 0x20 || c == '\u2028' || c == '\u2029') {
						json.append(String.format("\\u%04x", (int) c));
					}
					else {
						json.append(c);
					}
				}
			}
		}
		return json.append('"').toString();
	}

	private static byte[] utf8(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

	/**
	 * A WebSocket text frame of a text.
	 * @param text the frame's text
	 * @return the frame
	 */
	public static Frame textFrame(String text) {
		byte[] payload = utf8(text);
		int length = payload.length;
		ByteBuffer frame = ByteBuffer.allocate(((length < 126) ? 2 : (length < 65536) ? 4 : 10) + length)
			.put((byte) 0x81); // final fragment, text
		if (length < 126) {
			frame.put((byte) length);
		}
		else if (length < 65536) {
			frame.put((byte) 126).putShort((short) length);
		}
		else {
			frame.put((byte) 127).putLong(length);
		}
		return new Frame(text, frame.put(payload).array());
	}

	/**
	 * A WebSocket text frame, encoded once for every subscriber.
	 *
	 * @param text the frame's text, for the standard send API
	 * @param unmasked the whole frame as a server sends it (unmasked): header, then the text in
	 * UTF-8, for containers that write frames from bytes
	 */
	public record Frame(String text, byte[] unmasked) {
	}

	private record Encoded<T>(Message message, T value) {
	}

}
