package io.realtime.webmvc;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

import io.realtime.core.Message;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link WireFormat}: what it writes is the JSON docs/PROTOCOL.md describes, whatever
 * text a client sent to be echoed, and a message fanned out is encoded once.
 */
class WireFormatTests {

	private final WireFormat wire = new WireFormat();

	private final JsonMapper json = JsonMapper.builder().build();

	private final Message message = new Message("chat", "k2.9", "{\"text\":\"hi\"}", 1732456790000L);

	@Test
	void envelopeHasTopicIdDataAndTimestamp() {
		JsonNode envelope = this.json.readTree(this.wire.envelope(this.message));
		assertThat(envelope.get("topic").asString()).isEqualTo("chat");
		assertThat(envelope.get("id").asString()).isEqualTo("k2.9");
		assertThat(envelope.get("data").get("text").asString()).isEqualTo("hi");
		assertThat(envelope.get("ts").asLong()).isEqualTo(1732456790000L);
	}

	@Test
	void echoedClientTextIsEscaped() {
		String hostile = "a\"b\\c\n\u0001\u2028}";
		JsonNode error = this.json.readTree(this.wire.error("bad_request", "no \"" + hostile, hostile, "chat", null));
		assertThat(error.get("type").asString()).isEqualTo("error");
		assertThat(error.get("message").asString()).isEqualTo("no \"" + hostile);
		assertThat(error.get("ref").asString()).isEqualTo(hostile);
		JsonNode published = this.json.readTree(this.wire.published(this.message, hostile));
		assertThat(published.get("ref").asString()).isEqualTo(hostile);
		assertThat(published.get("id").asString()).isEqualTo("k2.9");
	}

	@Test
	void aMessageIsEncodedOnceForEverySubscriber() {
		WireFormat.Frame frame = this.wire.messageFrame(this.message);
		assertThat(this.wire.messageFrame(this.message)).isSameAs(frame);
		assertThat(this.wire.sseMessage(this.message)).isSameAs(this.wire.sseMessage(this.message));
		JsonNode parsed = this.json.readTree(frame.text());
		assertThat(parsed.get("type").asString()).isEqualTo("message");
		assertThat(parsed.get("topic").asString()).isEqualTo("chat");
		byte[] payload = frame.text().getBytes(StandardCharsets.UTF_8);
		assertThat(frame.unmasked()).endsWith(payload).hasSize(2 + payload.length);
	}

	@ParameterizedTest
	@CsvSource({ "0, 2", "125, 2", "126, 4", "65535, 4", "65536, 10" })
	void textFramesCarryTheirLengthInTheShortestHeader(int length, int headerBytes) {
		byte[] frame = WireFormat.textFrame("x".repeat(length)).unmasked();
		assertThat(frame).hasSize(headerBytes + length);
		ByteBuffer header = ByteBuffer.wrap(frame);
		assertThat(header.get()).isEqualTo((byte) 0x81);
		long encoded = switch (headerBytes) {
			case 2 -> header.get();
			case 4 -> header.get() == 126 ? Short.toUnsignedInt(header.getShort()) : -1;
			default -> header.get() == 127 ? header.getLong() : -1;
		};
		assertThat(encoded).isEqualTo(length);
	}

	@Test
	void pollReplyNamesTheTopicsThatCouldNotResume() {
		JsonNode reply = this.json.readTree(this.wire.pollReply(List.of(this.message), "c1", Set.of("news")));
		assertThat(reply.get("messages")).hasSize(1);
		assertThat(reply.get("cursor").asString()).isEqualTo("c1");
		assertThat(reply.get("recovered").asBoolean()).isFalse();
		assertThat(reply.get("reset").get(0).asString()).isEqualTo("news");
		assertThat(this.json.readTree(this.wire.pollReply(List.of(), "c2", Set.of())).has("reset")).isFalse();
	}

}
